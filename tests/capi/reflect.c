/* Import and export types of a module, printed and checked. */
#include "capi_test.h"

static void print_name(const char *what, const wasm_name_t *n) {
  printf("%s %.*s", what, (int)n->size, n->data);
}

static int name_is(const wasm_name_t *n, const char *s) {
  return n->size == strlen(s) && memcmp(n->data, s, n->size) == 0;
}

static int kinds_are(const wasm_valtype_vec_t *v, size_t n, const wasm_valkind_t *k) {
  if (v->size != n) return 0;
  for (size_t i = 0; i < n; i++)
    if (wasm_valtype_kind(v->data[i]) != k[i]) return 0;
  return 1;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  CHECK(imports.size == 4);
  for (size_t i = 0; i < imports.size; i++) {
    print_name("import", wasm_importtype_module(imports.data[i]));
    print_name("", wasm_importtype_name(imports.data[i]));
    printf(" kind %d\n", wasm_externtype_kind(wasm_importtype_type(imports.data[i])));
    CHECK(name_is(wasm_importtype_module(imports.data[i]), "env"));
  }
  const wasm_functype_t *ft =
      wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
  CHECK(ft && name_is(wasm_importtype_name(imports.data[0]), "f"));
  wasm_valkind_t p[] = {WASM_I32, WASM_I64}, r[] = {WASM_F32};
  CHECK(kinds_are(wasm_functype_params(ft), 2, p));
  CHECK(kinds_are(wasm_functype_results(ft), 1, r));
  const wasm_globaltype_t *gt =
      wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[1]));
  CHECK(gt && wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I32);
  CHECK(wasm_globaltype_mutability(gt) == WASM_VAR);
  CHECK(!wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[1])));
  const wasm_tabletype_t *tt =
      wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[2]));
  CHECK(tt && wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
  CHECK(wasm_tabletype_limits(tt)->min == 2 && wasm_tabletype_limits(tt)->max == 10);
  const wasm_memorytype_t *mt =
      wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[3]));
  CHECK(mt && wasm_memorytype_limits(mt)->min == 1);
  CHECK(wasm_memorytype_limits(mt)->max == 2);

  /* Copies are deep and equal. */
  wasm_importtype_vec_t copy;
  wasm_importtype_vec_copy(&copy, &imports);
  CHECK(copy.size == 4 && name_is(wasm_importtype_name(copy.data[3]), "m"));
  wasm_importtype_vec_delete(&copy);
  wasm_importtype_vec_delete(&imports);

  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  CHECK(exports.size == 4);
  const char *names[] = {"sum", "pi", "refs", "mem"};
  wasm_externkind_t kinds[] = {WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL,
                               WASM_EXTERN_TABLE, WASM_EXTERN_MEMORY};
  for (size_t i = 0; i < exports.size; i++) {
    print_name("export", wasm_exporttype_name(exports.data[i]));
    printf(" kind %d\n", wasm_externtype_kind(wasm_exporttype_type(exports.data[i])));
    CHECK(name_is(wasm_exporttype_name(exports.data[i]), names[i]));
    CHECK(wasm_externtype_kind(wasm_exporttype_type(exports.data[i])) == kinds[i]);
  }
  ft = wasm_externtype_as_functype_const(wasm_exporttype_type(exports.data[0]));
  wasm_valkind_t ff[] = {WASM_F64, WASM_F64};
  CHECK(kinds_are(wasm_functype_params(ft), 2, ff));
  CHECK(kinds_are(wasm_functype_results(ft), 1, ff));
  gt = wasm_externtype_as_globaltype_const(wasm_exporttype_type(exports.data[1]));
  CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_F64);
  CHECK(wasm_globaltype_mutability(gt) == WASM_CONST);
  tt = wasm_externtype_as_tabletype_const(wasm_exporttype_type(exports.data[2]));
  CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_ANYREF);
  CHECK(wasm_tabletype_limits(tt)->min == 3);
  CHECK(wasm_tabletype_limits(tt)->max == wasm_limits_max_default);
  mt = wasm_externtype_as_memorytype_const(wasm_exporttype_type(exports.data[3]));
  CHECK(wasm_memorytype_limits(mt)->min == 1 && wasm_memorytype_limits(mt)->max == 2);
  wasm_exporttype_vec_delete(&exports);

  /* A type built by hand, turned into an extern type and back. */
  wasm_limits_t lim = {4, 8};
  wasm_memorytype_t *m2 = wasm_memorytype_new(&lim);
  wasm_externtype_t *e2 = wasm_memorytype_as_externtype(m2);
  CHECK(wasm_externtype_kind(e2) == WASM_EXTERN_MEMORY);
  wasm_externtype_t *e3 = wasm_externtype_copy(e2);
  CHECK(wasm_memorytype_limits(wasm_externtype_as_memorytype(e3))->max == 8);
  wasm_externtype_delete(e3);
  wasm_memorytype_delete(m2);

  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("reflect: ok");
  return 0;
}
