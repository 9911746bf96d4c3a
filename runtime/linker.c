/* The linker: externs by (module, name), and the import type checks shared
 * with wrun_instance_new. */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

typedef struct rt_definition {
  UT_hash_handle hh;
  wrun_extern ext;
  size_t keylen;
  char key[]; /* "module\0name" */
} rt_definition;

struct wrun_linker {
  wrun_store *store;
  rt_definition *defs;
};

wrun_linker *wrun_linker_new(wrun_store *store) {
  wrun_linker *l = calloc(1, sizeof *l);
  if (l) l->store = store;
  return l;
}

void wrun_linker_delete(wrun_linker *l) {
  if (!l) return;
  rt_definition *d, *tmp;
  HASH_ITER(hh, l->defs, d, tmp) {
    HASH_DEL(l->defs, d);
    free(d);
  }
  free(l);
}

static size_t make_key(const char *module, const char *name, char *key) {
  size_t ml = strlen(module), nl = strlen(name);
  if (key) {
    memcpy(key, module, ml + 1);
    memcpy(key + ml + 1, name, nl);
  }
  return ml + 1 + nl;
}

static rt_definition *find(const wrun_linker *l, const char *module,
                           const char *name) {
  size_t keylen = make_key(module, name, NULL);
  char small[256];
  char *key = keylen <= sizeof small ? small : malloc(keylen);
  if (!key) return NULL;
  make_key(module, name, key);
  rt_definition *d = NULL;
  HASH_FIND(hh, l->defs, key, keylen, d);
  if (key != small) free(key);
  return d;
}

void wrun_linker_define(wrun_linker *l, const char *module, const char *name,
                        wrun_extern ext) {
  rt_definition *d = find(l, module, name);
  if (d) {
    d->ext = ext; /* a later definition replaces an earlier one */
    return;
  }
  size_t keylen = make_key(module, name, NULL);
  d = calloc(1, sizeof *d + keylen);
  if (!d) return;
  make_key(module, name, d->key);
  d->keylen = keylen;
  d->ext = ext;
  HASH_ADD_KEYPTR(hh, l->defs, d->key, d->keylen, d);
}

void wrun_linker_define_instance(wrun_linker *l, const char *module,
                                 wrun_instance *inst) {
  for (size_t i = 0; i < wrun_instance_export_count(inst); i++) {
    const char *name = wrun_instance_export_name(inst, i);
    wrun_extern ext;
    if (rt_instance_find_export(inst, name, &ext))
      wrun_linker_define(l, module, name, ext);
  }
}

void wrun_linker_instantiate(wrun_linker *l, const wrun_module *mod,
                             wrun_instance **out, wrun_error **error,
                             wrun_trap **trap) {
  const rt_module *m = mod->m;
  *out = NULL;
  if (error) *error = NULL;
  if (trap) *trap = NULL;
  wrun_extern *imports = calloc(m->nimports + 1, sizeof *imports);
  if (!imports) {
    if (error) *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return;
  }
  for (uint32_t i = 0; i < m->nimports; i++) {
    const rt_import *imp = &m->imports[i];
    rt_definition *d = find(l, imp->module, imp->name);
    if (!d) {
      if (error)
        *error = rt_error_new(RT_NO_OFFSET, "unknown import: `%s`.`%s`",
                              imp->module, imp->name);
      free(imports);
      return;
    }
    imports[i] = d->ext;
  }
  wrun_instance_new(l->store, mod, imports, m->nimports, out, error, trap);
  free(imports);
}

/* ---- import checks ------------------------------------------------------------ */

/* Limits of an extern match an import's when the actual minimum is at least
 * the import's and, if the import has a maximum, the actual one exists and
 * is at most it. */
static bool limits_match(uint32_t min, uint32_t max, bool has_max,
                         const rt_limits *want) {
  if (min < want->min) return false;
  if (want->has_max && (!has_max || max > want->max)) return false;
  return true;
}

static bool extern_matches(const rt_module *m, const rt_import *imp,
                           const wrun_extern *ext) {
  if (ext->kind != imp->kind) return false;
  switch (ext->kind) {
  case WRUN_EXTERN_FUNC: {
    const rt_funcref *f = (const rt_funcref *)ext->of.func;
    return f && f->type_id == m->types[imp->desc.type_index].id;
  }
  case WRUN_EXTERN_TABLE: {
    const rt_table *t = (const rt_table *)ext->of.table;
    return t && t->elem_type == imp->desc.table.elem &&
           limits_match(t->size, t->max, t->has_max, &imp->desc.table.limits);
  }
  case WRUN_EXTERN_MEMORY: {
    const rt_memory *mem = (const rt_memory *)ext->of.memory;
    return mem && limits_match(mem->pages, mem->max_pages, mem->has_max,
                               &imp->desc.memory);
  }
  case WRUN_EXTERN_GLOBAL: {
    const wrun_global *g = ext->of.global;
    return g && g->type.type == imp->desc.global.type &&
           g->type.mut == imp->desc.global.mut;
  }
  }
  return false;
}

wrun_error *rt_check_import(const rt_module *m, const rt_import *imp,
                            const wrun_extern *ext) {
  if (extern_matches(m, imp, ext)) return NULL;
  return rt_error_new(RT_NO_OFFSET, "incompatible import type for `%s`.`%s`",
                      imp->module, imp->name);
}
