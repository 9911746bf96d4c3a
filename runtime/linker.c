/* The linker: externs by (module, name), and the import type checks shared
 * with wrun_instance_new.
 *
 * A linker is made for a store (its definitions are that store's externs)
 * or for an engine (wrun_linker_new_for_engine): then it may also hold
 * host function templates (wrun_linker_define_func), which outlive any
 * store, and instantiates in any store of the engine, making each
 * template's function in that store when an import first needs it. A
 * server defines its host functions once and pays per request only for
 * the functions the module imports. */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

typedef struct rt_definition {
  UT_hash_handle hh;
  wrun_extern ext;
  rt_func_template *tmpl; /* a host function template, else NULL: ext */
  size_t keylen;
  unsigned char key[]; /* see make_key */
} rt_definition;

struct wrun_linker {
  wrun_store *store;   /* NULL for an engine linker */
  wrun_engine *engine; /* the store's, or the one it was made for */
  rt_definition *defs;
};

wrun_linker *wrun_linker_new(wrun_store *store) {
  if (!store) return rt_fail("linker: no store");
  wrun_linker *l = calloc(1, sizeof *l);
  if (!l) return rt_fail("out of memory");
  l->store = store;
  l->engine = store->engine;
  return l;
}

wrun_linker *wrun_linker_new_for_engine(wrun_engine *engine) {
  if (!engine) return rt_fail("linker: no engine");
  wrun_linker *l = calloc(1, sizeof *l);
  if (!l) return rt_fail("out of memory");
  l->engine = engine;
  return l;
}

void rt_func_template_ref(rt_func_template *t) {
  atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void rt_func_template_unref(rt_func_template *t) {
  if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
    return;
  if (t->finalizer) t->finalizer(t->env);
  free(t);
}

static void definition_free(rt_definition *d) {
  if (d->tmpl) rt_func_template_unref(d->tmpl);
  free(d);
}

void wrun_linker_delete(wrun_linker *l) {
  if (!l) return;
  rt_definition *d, *tmp;
  HASH_ITER(hh, l->defs, d, tmp) {
    HASH_DEL(l->defs, d);
    definition_free(d);
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

/* Defines (module, name) as ext or, when tmpl is not NULL, as that
 * template (whose reference the definition takes over); false when out of
 * memory. */
static bool define(wrun_linker *l, const char *module, size_t module_len,
                   const char *name, size_t name_len, wrun_extern ext,
                   rt_func_template *tmpl) {
  if ((!module && module_len) || (!name && name_len)) return false;
  rt_definition *d = find(l, module, module_len, name, name_len);
  if (d) {
    /* a later definition replaces an earlier one */
    if (d->tmpl) rt_func_template_unref(d->tmpl);
    d->ext = ext;
    d->tmpl = tmpl;
    return true;
  }
  size_t keylen = make_key(module, module_len, name, name_len, NULL);
  if (!keylen || keylen > SIZE_MAX - sizeof *d) return false;
  d = calloc(1, sizeof *d + keylen);
  if (!d) return false;
  make_key(module, module_len, name, name_len, d->key);
  d->keylen = keylen;
  d->ext = ext;
  d->tmpl = tmpl;
  HASH_ADD_KEYPTR(hh, l->defs, d->key, d->keylen, d);
  return true;
}

void wrun_linker_define_n(wrun_linker *l, const char *module,
                          size_t module_len, const char *name,
                          size_t name_len, wrun_extern ext) {
  define(l, module, module_len, name, name_len, ext, NULL);
}

bool wrun_linker_define_func(wrun_linker *l, const char *module,
                             const char *name, const wrun_valtype *params,
                             size_t nparams, const wrun_valtype *results,
                             size_t nresults, wrun_host_callback cb,
                             void *env, void (*finalizer)(void *env)) {
  if (!l || !module || !name || !cb) {
    rt_fail("linker: define_func needs a linker, names and a callback");
    return false;
  }
  if (nparams > UINT32_MAX / 2 || nresults > UINT32_MAX / 2 ||
      (nparams && !params) || (nresults && !results)) {
    rt_fail("linker: bad parameter or result list");
    return false;
  }
  rt_valtype *types = malloc((nparams + nresults + 1) * sizeof *types);
  if (!types) {
    rt_fail("out of memory");
    return false;
  }
  for (size_t i = 0; i < nparams; i++) types[i] = (rt_valtype)params[i];
  for (size_t i = 0; i < nresults; i++)
    types[nparams + i] = (rt_valtype)results[i];
  rt_functype t = {.nparams = (uint32_t)nparams,
                   .nresults = (uint32_t)nresults, .types = types};
  uint32_t id = rt_engine_intern_type(&t);
  free(types);
  if (!id) {
    rt_fail("linker: invalid or too many function types");
    return false;
  }
  if (l->store) { /* a store's linker: the function itself, now */
    wrun_func *f = rt_func_new_id(l->store, id, cb, env, finalizer, NULL);
    if (!f) return false;
    wrun_extern ext = {.kind = WRUN_EXTERN_FUNC, .of.func = f};
    if (define(l, module, strlen(module), name, strlen(name), ext, NULL))
      return true;
    rt_fail("out of memory");
    return false;
  }
  rt_func_template *tmpl = calloc(1, sizeof *tmpl);
  if (!tmpl) {
    rt_fail("out of memory");
    return false;
  }
  *tmpl = (rt_func_template){id, cb, env, finalizer, 1};
  wrun_extern none = {.kind = WRUN_EXTERN_FUNC, .of.func = NULL};
  if (define(l, module, strlen(module), name, strlen(name), none, tmpl))
    return true;
  free(tmpl); /* the env stays the caller's: nothing was defined */
  rt_fail("out of memory");
  return false;
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
  *out = NULL;
  if (error) *error = NULL;
  if (trap) *trap = NULL;
  if (!l->store) {
    if (error)
      *error = rt_error_new(RT_NO_OFFSET,
                            "an engine linker instantiates in a store: "
                            "wrun_linker_instantiate_in");
    return;
  }
  wrun_linker_instantiate_in(l, l->store, mod, out, error, trap);
}

void wrun_linker_instantiate_in(wrun_linker *l, wrun_store *store,
                                const wrun_module *mod, wrun_instance **out,
                                wrun_error **error, wrun_trap **trap) {
  const rt_module *m = mod->m;
  *out = NULL;
  if (error) *error = NULL;
  if (trap) *trap = NULL;
  if (!store || (l->store && l->store != store) ||
      store->engine != l->engine) {
    if (error)
      *error = rt_error_new(RT_NO_OFFSET,
                            "the store is not the linker's, or of another "
                            "engine");
    return;
  }
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
    if (d->tmpl && !(imports[i].of.func = rt_store_template_func(store,
                                                                 d->tmpl))) {
      if (error)
        *error = rt_error_new(RT_NO_OFFSET, "import `%s`.`%s`: %s",
                              imp->module, imp->name, wrun_last_error());
      free(imports);
      return;
    }
  }
  wrun_instance_new(store, mod, imports, m->nimports, out, error, trap);
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
