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
  unsigned char key[]; /* see make_key */
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

/* A (module, name) pair as one hash key. Names may contain NULs, so a
 * separator byte could not tell ("a\0b", "c") from ("a", "b\0c"): the key
 * is the module's length, then the module, then the name. Returns the key
 * length (0 if it would overflow) and writes the key if key is not NULL. */
static size_t make_key(const char *module, size_t module_len,
                       const char *name, size_t name_len,
                       unsigned char *key) {
  size_t head = sizeof module_len;
  if (module_len > SIZE_MAX - head || name_len > SIZE_MAX - head - module_len)
    return 0;
  if (key) {
    memcpy(key, &module_len, head);
    if (module_len) memcpy(key + head, module, module_len);
    if (name_len) memcpy(key + head + module_len, name, name_len);
  }
  return head + module_len + name_len;
}

static rt_definition *find(const wrun_linker *l, const char *module,
                           size_t module_len, const char *name,
                           size_t name_len) {
  size_t keylen = make_key(module, module_len, name, name_len, NULL);
  if (!keylen) return NULL;
  unsigned char small[256];
  unsigned char *key = keylen <= sizeof small ? small : malloc(keylen);
  if (!key) return NULL;
  make_key(module, module_len, name, name_len, key);
  rt_definition *d = NULL;
  HASH_FIND(hh, l->defs, key, keylen, d);
  if (key != small) free(key);
  return d;
}

void wrun_linker_define_n(wrun_linker *l, const char *module,
                          size_t module_len, const char *name,
                          size_t name_len, wrun_extern ext) {
  if ((!module && module_len) || (!name && name_len)) return;
  rt_definition *d = find(l, module, module_len, name, name_len);
  if (d) {
    d->ext = ext; /* a later definition replaces an earlier one */
    return;
  }
  size_t keylen = make_key(module, module_len, name, name_len, NULL);
  if (!keylen || keylen > SIZE_MAX - sizeof *d) return;
  d = calloc(1, sizeof *d + keylen);
  if (!d) return;
  make_key(module, module_len, name, name_len, d->key);
  d->keylen = keylen;
  d->ext = ext;
  HASH_ADD_KEYPTR(hh, l->defs, d->key, d->keylen, d);
}

void wrun_linker_define(wrun_linker *l, const char *module, const char *name,
                        wrun_extern ext) {
  if (!module || !name) return;
  wrun_linker_define_n(l, module, strlen(module), name, strlen(name), ext);
}

/* Exact names (with any NULs they hold), so that every export links. */
void wrun_linker_define_instance_n(wrun_linker *l, const char *module,
                                   size_t module_len, wrun_instance *inst) {
  if (!module && module_len) return;
  for (size_t i = 0; i < wrun_instance_export_count(inst); i++) {
    size_t name_len;
    const char *name = wrun_instance_export_name_n(inst, i, &name_len);
    wrun_extern ext;
    if (wrun_instance_export_n(inst, name, name_len, &ext))
      wrun_linker_define_n(l, module, module_len, name, name_len, ext);
  }
}

void wrun_linker_define_instance(wrun_linker *l, const char *module,
                                 wrun_instance *inst) {
  if (module) wrun_linker_define_instance_n(l, module, strlen(module), inst);
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
    rt_definition *d = find(l, imp->module, imp->module_len, imp->name,
                            imp->name_len);
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
static bool limits_match(uint64_t min, uint64_t max, bool has_max,
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
    /* the function's type may be a declared subtype of the import's */
    const rt_funcref *f = (const rt_funcref *)ext->of.func;
    return f && rt_type_id_subtype(f->type_id,
                                   m->types[imp->desc.type_index].id);
  }
  case WRUN_EXTERN_TABLE: {
    const rt_table *t = (const rt_table *)ext->of.table;
    return t && t->elem_type == rt_vt_canon(m, imp->desc.table.elem) &&
           t->is64 == imp->desc.table.limits.is64 &&
           limits_match(t->size, t->max, t->has_max, &imp->desc.table.limits);
  }
  case WRUN_EXTERN_MEMORY: {
    const rt_memory *mem = (const rt_memory *)ext->of.memory;
    return mem && mem->is64 == imp->desc.memory.is64 &&
           mem->shared == imp->desc.memory.shared &&
           limits_match(mem->pages, mem->max_pages, mem->has_max,
                        &imp->desc.memory);
  }
  case WRUN_EXTERN_GLOBAL: {
    /* an immutable global may have a subtype of the import's type */
    const wrun_global *g = ext->of.global;
    rt_valtype want = rt_vt_canon(m, imp->desc.global.type);
    if (!g || g->type.mut != imp->desc.global.mut) return false;
    return g->type.mut ? g->type.type == want
                       : rt_subtype(NULL, g->type.type, want);
  }
  case WRUN_EXTERN_TAG: {
    const wrun_tag *tag = ext->of.tag;
    return tag && tag->type_id == m->types[imp->desc.tag_type].id;
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
