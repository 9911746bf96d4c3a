/* Modules: read, intern the types, compile; and the import/export queries. */
#include "runtime.h"

#include <stdlib.h>

/* Ids must be in place before compiling: call_indirect embeds them. */
static wrun_error *intern_types(rt_module *m) {
  for (uint32_t i = 0; i < m->ntypes; i++) {
    m->types[i].id = rt_engine_intern_type(&m->types[i]);
    if (!m->types[i].id) return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  return NULL;
}

wrun_error *wrun_module_new(wrun_engine *engine, const uint8_t *bytes,
                            size_t len, wrun_module **out) {
  *out = NULL;
  rt_module *m = NULL;
  wrun_error *err = rt_module_read(bytes, len, &m);
  if (err) return err;
  err = intern_types(m);
  if (err) {
    rt_module_free(m);
    return err;
  }
  wrun_module *mod = calloc(1, sizeof *mod);
  if (!mod) {
    rt_module_free(m);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  bool simd_refused = false;
  err = jit_compile_module(m, &mod->code, &simd_refused);
  if (err) {
    rt_module_free(m);
    free(mod);
    return err;
  }
  /* Unregistered code could not trap safely (its faults would look like
   * host crashes), so a full registry is an error. */
  mod->code_slot = rt_code_register(&mod->code, m);
  if (mod->code_slot < 0 && mod->code.size) {
    jit_code_free(&mod->code);
    rt_module_free(m);
    free(mod);
    return rt_error_new(RT_NO_OFFSET, "too many live modules");
  }
  mod->engine = engine;
  mod->m = m;
  atomic_init(&mod->refs, 1);
  *out = mod;
  return NULL;
}

wrun_error *wrun_module_validate(wrun_engine *engine, const uint8_t *bytes,
                                 size_t len) {
  rt_module *m = NULL;
  wrun_error *err = rt_module_read(bytes, len, &m);
  if (err) return err;
  err = jit_validate_module(m);
  rt_module_free(m);
  return err;
}

void rt_module_retain(wrun_module *mod) {
  atomic_fetch_add(&mod->refs, 1);
}

void rt_module_release(wrun_module *mod) {
  if (!mod || atomic_fetch_sub(&mod->refs, 1) != 1) return;
  rt_code_unregister(mod->code_slot);
  jit_code_free(&mod->code);
  rt_module_free(mod->m);
  free(mod);
}

/* The embedder's reference; instances made from the module keep theirs. */
void wrun_module_delete(wrun_module *mod) { rt_module_release(mod); }

size_t wrun_module_import_count(const wrun_module *mod) {
  return mod->m->nimports;
}

void wrun_module_import(const wrun_module *mod, size_t i, const char **module,
                        const char **name, wrun_externkind *kind) {
  const rt_import *imp = &mod->m->imports[i];
  if (module) *module = imp->module;
  if (name) *name = imp->name;
  if (kind) *kind = (wrun_externkind)imp->kind;
}

size_t wrun_module_export_count(const wrun_module *mod) {
  return mod->m->nexports;
}

void wrun_module_export(const wrun_module *mod, size_t i, const char **name,
                        wrun_externkind *kind) {
  const rt_export *e = &mod->m->exports[i];
  if (name) *name = e->name;
  if (kind) *kind = (wrun_externkind)e->kind;
}

size_t wrun_module_code_size(const wrun_module *mod) { return mod->code.size; }
