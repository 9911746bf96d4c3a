/* See stub_imports.h. */
#include "stub_imports.h"

#include <stdlib.h>
#include <string.h>

/* The runtime zeroes the results before calling: nothing to do. */
static wrun_trap *answer_zeros(void *env, wrun_caller *caller,
                               const wrun_val *args, size_t nargs,
                               wrun_val *results, size_t nresults) {
  return NULL;
}

wrun_val fuzz_zero_of(wrun_valtype type) {
  wrun_val v;
  memset(&v, 0, sizeof v);
  v.type = type;
  return v;
}

static wrun_func *stub_func(wrun_store *store, const wrun_module *m,
                            size_t i) {
  size_t nparams = 0, nresults = 0;
  if (!wrun_module_import_func(m, i, &nparams, &nresults)) return NULL;
  wrun_valtype *types = calloc(nparams + nresults + 1, sizeof *types);
  if (!types) return NULL;
  for (size_t k = 0; k < nparams; k++)
    types[k] = wrun_module_import_func_param(m, i, k);
  for (size_t k = 0; k < nresults; k++)
    types[nparams + k] = wrun_module_import_func_result(m, i, k);
  wrun_func *f = wrun_func_new(store, types, nparams, types + nparams,
                               nresults, answer_zeros, NULL, NULL);
  free(types);
  return f;
}

bool fuzz_stub_import(wrun_store *store, const wrun_module *m, size_t i,
                      wrun_extern *out) {
  wrun_externkind kind;
  wrun_module_import(m, i, NULL, NULL, &kind);
  out->kind = kind;
  wrun_valtype type;
  uint32_t min, max;
  bool has_max, mut;
  switch (kind) {
  case WRUN_EXTERN_FUNC:
    out->of.func = stub_func(store, m, i);
    return out->of.func != NULL;
  case WRUN_EXTERN_TABLE:
    if (!wrun_module_import_table(m, i, &type, &min, &max, &has_max))
      return false;
    out->of.table = wrun_table_new(store, type, min, max, has_max,
                                   fuzz_zero_of(type));
    return out->of.table != NULL;
  case WRUN_EXTERN_MEMORY:
    if (!wrun_module_import_memory(m, i, &min, &max, &has_max)) return false;
    out->of.memory = wrun_memory_new(store, min, max, has_max);
    return out->of.memory != NULL;
  case WRUN_EXTERN_GLOBAL:
    if (!wrun_module_import_global(m, i, &type, &mut)) return false;
    out->of.global = wrun_global_new(store, type, mut, fuzz_zero_of(type));
    return out->of.global != NULL;
  case WRUN_EXTERN_TAG: /* a tag import is not stubbed: instantiation fails */
    return false;
  }
  return false;
}
