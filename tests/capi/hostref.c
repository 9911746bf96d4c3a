/* Foreign references through wasm: a parameter and result, a table, a
 * global; each comes back as the same reference with its host info, and
 * its finalizer runs once, when the store goes (wasm may still hold it). */
#include "capi_test.h"

static int finalized;
static void fin(void *info) {
  CHECK(info == (void *)&finalized);
  finalized++;
}

static wasm_ref_t *call_ref(wasm_func_t *f, wasm_val_t *args, size_t n) {
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t a = {n, args}, res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(f, &a, &res) == NULL);
  CHECK(r[0].kind == WASM_ANYREF);
  return r[0].of.ref;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_instance_t *inst = instantiate_plain(store, module);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_table_t *t = wasm_extern_as_table(ex.data[0]);
  wasm_global_t *g = wasm_extern_as_global(ex.data[1]);
  wasm_func_t *id = export_func(&ex, 2), *put = export_func(&ex, 3),
              *take = export_func(&ex, 4);

  wasm_foreign_t *a = wasm_foreign_new(store), *b = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(a, &finalized, fin);
  wasm_foreign_set_host_info(b, (void *)0x1234);
  wasm_ref_t *ra = wasm_foreign_as_ref(a), *rb = wasm_foreign_as_ref(b);
  CHECK(!wasm_ref_same(ra, rb));

  /* Through a parameter and result. */
  wasm_val_t arg[2] = {WASM_REF_VAL(ra)};
  wasm_ref_t *back = call_ref(id, arg, 1);
  CHECK(back && wasm_ref_same(back, ra));
  CHECK(wasm_ref_get_host_info(back) == &finalized);
  CHECK(wasm_ref_as_foreign(back) && !wasm_ref_as_func(back));
  wasm_ref_delete(back);
  wasm_val_t null_arg[1] = {WASM_REF_VAL(NULL)};
  CHECK(call_ref(id, null_arg, 1) == NULL);

  /* Through the table, written by wasm and by the host. */
  wasm_val_t pa[2] = {WASM_I32_VAL(0), WASM_REF_VAL(ra)};
  wasm_val_vec_t pav = WASM_ARRAY_VEC(pa), none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(put, &pav, &none) == NULL);
  CHECK(wasm_table_set(t, 1, rb));
  wasm_ref_t *t0 = wasm_table_get(t, 0), *t1 = wasm_table_get(t, 1);
  CHECK(wasm_ref_same(t0, ra) && wasm_ref_same(t1, rb));
  CHECK(wasm_ref_get_host_info(t1) == (void *)0x1234);
  wasm_ref_delete(t0);
  wasm_ref_delete(t1);
  wasm_val_t ta[1] = {WASM_I32_VAL(1)};
  back = call_ref(take, ta, 1);
  CHECK(wasm_ref_same(back, rb));
  wasm_ref_delete(back);

  /* Through the global. */
  wasm_val_t gv = WASM_REF_VAL(rb), out;
  wasm_global_set(g, &gv);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_ANYREF && wasm_ref_same(out.of.ref, rb));
  wasm_val_delete(&out);

  /* Copies share identity and host info. */
  wasm_ref_t *copy = wasm_ref_copy(ra);
  CHECK(wasm_ref_same(copy, ra) && wasm_ref_get_host_info(copy) == &finalized);
  wasm_ref_delete(copy);

  /* The host lets go; the table still holds a, so it lives. */
  wasm_foreign_delete(a);
  wasm_foreign_delete(b);
  CHECK(finalized == 0);
  wasm_ref_t *still = wasm_table_get(t, 0);
  CHECK(still && wasm_ref_get_host_info(still) == &finalized);
  wasm_ref_delete(still);

  /* A foreign that never entered wasm is finalized at its last delete. */
  wasm_foreign_t *c = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(c, &finalized, fin);
  wasm_foreign_t *c2 = wasm_foreign_copy(c);
  wasm_foreign_delete(c);
  CHECK(finalized == 0);
  wasm_foreign_delete(c2);
  CHECK(finalized == 1);

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK(finalized == 2);
  wasm_engine_delete(engine);
  puts("hostref: ok");
  return 0;
}
