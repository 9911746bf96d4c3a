/* Modules: read, intern the types, compile; and the import/export queries. */
#include "runtime.h"

#include <stdlib.h>

#include "dwarf_line.h"

wrun_error *wrun_module_new(wrun_engine *engine, const uint8_t *bytes,
                            size_t len, wrun_module **out) {
  *out = NULL;
  rt_module *m = NULL;
  wrun_error *err = rt_module_read(bytes, len, &m);
  if (err) return err;
  wrun_module *mod = calloc(1, sizeof *mod);
  if (!mod) {
    rt_module_free(m);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  bool simd_refused = false;
  /* The module records how it was compiled (wrun_module_deterministic). */
  static const rt_config defaults;
  rt_memory_strategy st =
      rt_config_memory_strategy(engine ? &engine->config : &defaults);
  jit_options opts = {.deterministic = engine && engine->config.deterministic,
                      .fuel = engine && engine->config.consume_fuel,
                      .bounds_checks = st.checks,
                      .memory_guard = st.guard,
                      .no_signals = engine && engine->config.no_signals,
                      /* -g on a module with source lines: gdb's line
                       * table wants every instruction (gdb_jit_dwarf.c) */
                      .map_every_instruction =
                          engine && (engine->config.code_map ||
                                     (engine->config.debug_info &&
                                      rt_has_line_section(m))),
                      .jobs = engine ? engine->config.jobs : 0};
  err = jit_compile_module(m, &opts, &mod->code, &simd_refused);
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
  rt_profile_code(engine, &mod->code, m);
  if (engine && engine->config.debug_info)
    mod->gdb_entry = rt_gdb_jit_register(&mod->code, m);
  mod->engine = engine;
  mod->deterministic = opts.deterministic;
  mod->fuel = opts.fuel;
  mod->bounds_checks = opts.bounds_checks;
  mod->memory_guard = opts.memory_guard;
  mod->no_signals = opts.no_signals;
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
  rt_gdb_jit_unregister(mod->gdb_entry);
  jit_code_free(&mod->code);
  rt_module_free(mod->m);
  free(mod);
}

/* The embedder's reference; instances made from the module keep theirs. */
void wrun_module_delete(wrun_module *mod) { rt_module_release(mod); }

size_t wrun_module_import_count(const wrun_module *mod) {
  return mod->m->nimports;
}

void wrun_module_import_n(const wrun_module *mod, size_t i,
                          const char **module, size_t *module_len,
                          const char **name, size_t *name_len,
                          wrun_externkind *kind) {
  const rt_import *imp = &mod->m->imports[i];
  if (module) *module = imp->module;
  if (module_len) *module_len = imp->module_len;
  if (name) *name = imp->name;
  if (name_len) *name_len = imp->name_len;
  if (kind) *kind = (wrun_externkind)imp->kind;
}

void wrun_module_import(const wrun_module *mod, size_t i, const char **module,
                        const char **name, wrun_externkind *kind) {
  wrun_module_import_n(mod, i, module, NULL, name, NULL, kind);
}

size_t wrun_module_export_count(const wrun_module *mod) {
  return mod->m->nexports;
}

void wrun_module_export_n(const wrun_module *mod, size_t i,
                          const char **name, size_t *name_len,
                          wrun_externkind *kind) {
  const rt_export *e = &mod->m->exports[i];
  if (name) *name = e->name;
  if (name_len) *name_len = e->name_len;
  if (kind) *kind = (wrun_externkind)e->kind;
}

void wrun_module_export(const wrun_module *mod, size_t i, const char **name,
                        wrun_externkind *kind) {
  wrun_module_export_n(mod, i, name, NULL, kind);
}

size_t wrun_module_code_size(const wrun_module *mod) { return mod->code.size; }

bool wrun_module_deterministic(const wrun_module *mod) {
  return mod->deterministic;
}

/* ---- import types ------------------------------------------------------ */

/* Import i if it exists and is of kind, else NULL. */
static const rt_import *import_of_kind(const wrun_module *mod, size_t i,
                                       wrun_externkind kind) {
  if (i >= mod->m->nimports) return NULL;
  const rt_import *imp = &mod->m->imports[i];
  return imp->kind == kind ? imp : NULL;
}

static const rt_functype *import_func_type(const wrun_module *mod, size_t i) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_FUNC);
  return imp ? &mod->m->types[imp->desc.type_index] : NULL;
}

bool wrun_module_import_func(const wrun_module *mod, size_t i,
                             size_t *nparams, size_t *nresults) {
  const rt_functype *t = import_func_type(mod, i);
  if (!t) return false;
  if (nparams) *nparams = t->nparams;
  if (nresults) *nresults = t->nresults;
  return true;
}

wrun_valtype wrun_module_import_func_param(const wrun_module *mod, size_t i,
                                           size_t k) {
  const rt_functype *t = import_func_type(mod, i);
  return t && k < t->nparams ? rt_vt_api(rt_param(t, (uint32_t)k))
                             : (wrun_valtype)0;
}

wrun_valtype wrun_module_import_func_result(const wrun_module *mod, size_t i,
                                            size_t k) {
  const rt_functype *t = import_func_type(mod, i);
  return t && k < t->nresults ? rt_vt_api(rt_result(t, (uint32_t)k))
                              : (wrun_valtype)0;
}

/* The API speaks u32: a memory64's limits past that read as UINT32_MAX
 * (no memory holds more than 65536 pages here anyway). */
static uint32_t clamp_u32(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void put_limits(const rt_limits *l, uint32_t *min, uint32_t *max,
                       bool *has_max) {
  if (min) *min = clamp_u32(l->min);
  if (max) *max = l->has_max ? clamp_u32(l->max) : 0;
  if (has_max) *has_max = l->has_max;
}

bool wrun_module_import_table(const wrun_module *mod, size_t i,
                              wrun_valtype *elem, uint32_t *min,
                              uint32_t *max, bool *has_max) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_TABLE);
  if (!imp) return false;
  if (elem) *elem = rt_vt_api(imp->desc.table.elem);
  put_limits(&imp->desc.table.limits, min, max, has_max);
  return true;
}

bool wrun_module_import_memory(const wrun_module *mod, size_t i,
                               uint32_t *min, uint32_t *max, bool *has_max) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_MEMORY);
  if (!imp) return false;
  put_limits(&imp->desc.memory, min, max, has_max);
  return true;
}

static void put_limits64(const rt_limits *l, uint64_t *min, uint64_t *max,
                         bool *has_max, bool *is64) {
  if (min) *min = l->min;
  if (max) *max = l->has_max ? l->max : 0;
  if (has_max) *has_max = l->has_max;
  if (is64) *is64 = l->is64;
}

bool wrun_module_import_table64(const wrun_module *mod, size_t i,
                                wrun_valtype *elem, uint64_t *min,
                                uint64_t *max, bool *has_max, bool *is64) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_TABLE);
  if (!imp) return false;
  if (elem) *elem = (wrun_valtype)imp->desc.table.elem;
  put_limits64(&imp->desc.table.limits, min, max, has_max, is64);
  return true;
}

bool wrun_module_import_memory64(const wrun_module *mod, size_t i,
                                 uint64_t *min, uint64_t *max, bool *has_max,
                                 bool *is64) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_MEMORY);
  if (!imp) return false;
  put_limits64(&imp->desc.memory, min, max, has_max, is64);
  return true;
}

bool wrun_module_import_memory_shared(const wrun_module *mod, size_t i) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_MEMORY);
  return imp && imp->desc.memory.shared;
}

bool wrun_module_import_global(const wrun_module *mod, size_t i,
                               wrun_valtype *type, bool *mutable_) {
  const rt_import *imp = import_of_kind(mod, i, WRUN_EXTERN_GLOBAL);
  if (!imp) return false;
  if (type) *type = rt_vt_api(imp->desc.global.type);
  if (mutable_) *mutable_ = imp->desc.global.mut;
  return true;
}

const char *wrun_valtype_name(wrun_valtype t) {
  switch (t) {
  case WRUN_I32: return "i32";
  case WRUN_I64: return "i64";
  case WRUN_F32: return "f32";
  case WRUN_F64: return "f64";
  case WRUN_V128: return "v128";
  case WRUN_FUNCREF: return "funcref";
  case WRUN_EXTERNREF: return "externref";
  case WRUN_EXNREF: return "exnref";
  case WRUN_ANYREF: return "anyref";
  }
  return "?";
}
