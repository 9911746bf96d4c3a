/* Serialized modules (wrun_module_serialize / wrun_module_deserialize):
 * loaded code runs as compiled code does (results, trap codes and frames,
 * exceptions, host imports, tables, SIMD, GC allocation and casts), a
 * blob of another version or for CPU features the host lacks is refused
 * saying so, and truncated or bit-flipped blobs are refused cleanly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "serial_io.h"
#include "wrun.h"
#if defined(__x86_64__)
#include "x64/asm.h"
#endif

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n);
  cr_assert_not_null(b);
  cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static wrun_module *compile_file(wrun_engine *e, const char *path) {
  size_t len;
  uint8_t *bytes = read_all(path, &len);
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(e, bytes, len, &m);
  free(bytes);
  cr_assert_null(err, "%s: %s", path, err ? wrun_error_message(err) : "");
  return m;
}

static uint8_t *serialize(const wrun_module *m, size_t *len) {
  uint8_t *blob = NULL;
  wrun_error *err = wrun_module_serialize(m, &blob, len);
  cr_assert_null(err, "serialize: %s", err ? wrun_error_message(err) : "");
  cr_assert(wrun_module_is_serialized(blob, *len));
  return blob;
}

/* The module loaded back from m's serialized form (m is deleted first, so
 * that nothing of the loaded one can lean on it). */
static wrun_module *roundtrip(wrun_engine *e, wrun_module *m) {
  size_t len;
  uint8_t *blob = serialize(m, &len);
  wrun_module_delete(m);
  wrun_module *back = NULL;
  wrun_error *err = wrun_module_deserialize(e, blob, len, &back);
  cr_assert_null(err, "deserialize: %s", err ? wrun_error_message(err) : "");
  wrun_bytes_free(blob);
  return back;
}

static wrun_trap *twice(void *env, wrun_caller *caller, const wrun_val *args,
                        size_t nargs, wrun_val *results, size_t nresults) {
  results[0].type = WRUN_I32;
  results[0].of.i32 = args[0].of.i32 * 2;
  return NULL;
}

static wrun_instance *instantiate_ser(wrun_store *s, const wrun_module *m) {
  wrun_valtype i32 = WRUN_I32;
  wrun_extern imp = {.kind = WRUN_EXTERN_FUNC};
  imp.of.func = wrun_func_new(s, &i32, 1, &i32, 1, twice, NULL, NULL);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, &imp, 1, &inst, &err, &trap);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
  return inst;
}

/* Calls export name with i32 args; the trap (or NULL) and *result. */
static wrun_trap *call(wrun_store *s, wrun_instance *inst, const char *name,
                       const int32_t *args, size_t nargs, size_t nresults,
                       int32_t *result) {
  wrun_extern f;
  cr_assert(wrun_instance_export(inst, name, &f), "no export %s", name);
  wrun_val in[4], out[1];
  for (size_t i = 0; i < nargs; i++) {
    in[i].type = WRUN_I32;
    in[i].of.i32 = args[i];
  }
  wrun_trap *t = wrun_func_call(s, f.of.func, in, nargs, out, nresults);
  if (!t && nresults) *result = out[0].of.i32;
  return t;
}

static int32_t call_ok(wrun_store *s, wrun_instance *inst, const char *name,
                       const int32_t *args, size_t nargs) {
  int32_t r = 0;
  wrun_trap *t = call(s, inst, name, args, nargs, 1, &r);
  cr_assert_null(t, "%s trapped: %s", name, t ? wrun_trap_message(t) : "");
  return r;
}

/* What a trapping call reports: its code and frames. */
typedef struct trap_seen {
  wrun_trap_code code;
  size_t nframes;
  uint32_t funcs[8];
  size_t offsets[8]; /* module offsets (the pc map) */
} trap_seen;

static trap_seen call_trap(wrun_store *s, wrun_instance *inst,
                           const char *name, int32_t arg, size_t nresults) {
  int32_t r;
  wrun_trap *t = call(s, inst, name, &arg, 1, nresults, &r);
  cr_assert_not_null(t, "%s did not trap", name);
  trap_seen seen = {wrun_trap_code_of(t), wrun_trap_frame_count(t), {0}, {0}};
  for (size_t i = 0; i < seen.nframes && i < 8; i++) {
    seen.funcs[i] = wrun_trap_frame_func(t, i);
    seen.offsets[i] = wrun_trap_frame_module_offset(t, i);
  }
  wrun_trap_delete(t);
  return seen;
}

/* Runs every export of ser.wasm in module m; the traps go to seen[]. */
static void exercise_ser(wrun_engine *e, const wrun_module *m,
                         trap_seen seen[4]) {
  wrun_store *s = wrun_store_new(e);
  wrun_instance *inst = instantiate_ser(s, m);
  int32_t a[2] = {0, 5};
  cr_expect_eq(call_ok(s, inst, "indirect", a, 2), 6);
  a[0] = 1;
  cr_expect_eq(call_ok(s, inst, "indirect", a, 2), 10);
  a[0] = 2; /* the host function, through the table */
  cr_expect_eq(call_ok(s, inst, "indirect", a, 2), 10);
  int32_t x = 21;
  cr_expect_eq(call_ok(s, inst, "call_host", &x, 1), 42);
  x = 7;
  cr_expect_eq(call_ok(s, inst, "catch", &x, 1), 107);
  x = 10;
  cr_expect_eq(call_ok(s, inst, "simd", &x, 1), 14);
  x = 1;
  cr_expect_eq(call_ok(s, inst, "grow", &x, 1), 1);
  cr_expect_eq(call_ok(s, inst, "tsize", NULL, 0), 4);
  int32_t fill[3] = {100, 0x41, 4};
  wrun_trap *t = call(s, inst, "fill", fill, 3, 0, NULL);
  cr_expect_null(t);
  x = 100;
  cr_expect_eq(call_ok(s, inst, "load", &x, 1), 0x41414141);
  seen[0] = call_trap(s, inst, "div", 0, 1);
  seen[1] = call_trap(s, inst, "load", 3 * 65536, 1);
  seen[2] = call_trap(s, inst, "uncaught", 3, 0);
  int32_t bad[2] = {3, 1}; /* an empty table slot */
  t = call(s, inst, "indirect", bad, 2, 1, &x);
  cr_assert_not_null(t);
  memset(&seen[3], 0, sizeof seen[3]);
  seen[3].code = wrun_trap_code_of(t);
  seen[3].nframes = wrun_trap_frame_count(t);
  for (size_t i = 0; i < seen[3].nframes && i < 8; i++) {
    seen[3].funcs[i] = wrun_trap_frame_func(t, i);
    seen[3].offsets[i] = wrun_trap_frame_module_offset(t, i);
  }
  wrun_trap_delete(t);
  wrun_store_delete(s);
}

Test(serialize, runs_like_compiled_code) {
  wrun_engine *e = wrun_engine_new();
  wrun_module *m = compile_file(e, SER_WASM);
  trap_seen direct[4], loaded[4];
  exercise_ser(e, m, direct);
  wrun_module *back = roundtrip(e, m);
  cr_expect_eq(wrun_module_export_count(back), 13);
  exercise_ser(e, back, loaded);
  cr_expect_eq(loaded[0].code, WRUN_TRAP_INT_DIV_ZERO);
  cr_expect_eq(loaded[1].code, WRUN_TRAP_MEMORY_OOB);
  cr_expect_eq(loaded[2].code, WRUN_TRAP_EXCEPTION);
  cr_expect_eq(loaded[3].code, WRUN_TRAP_UNINITIALIZED_ELEMENT);
  cr_expect_geq(loaded[0].nframes, 2); /* $deep called from div */
  cr_expect_neq(loaded[0].offsets[0], SIZE_MAX); /* the pc map came too */
  for (int i = 0; i < 4; i++) {
    cr_expect_eq(loaded[i].code, direct[i].code, "trap %d", i);
    cr_expect_eq(loaded[i].nframes, direct[i].nframes, "trap %d", i);
    for (size_t k = 0; k < loaded[i].nframes && k < 8; k++) {
      cr_expect_eq(loaded[i].funcs[k], direct[i].funcs[k], "trap %d frame %zu",
                   i, k);
      cr_expect_eq(loaded[i].offsets[k], direct[i].offsets[k],
                   "trap %d frame %zu offset", i, k);
    }
  }
  wrun_module_delete(back);
  wrun_engine_delete(e);
}

/* A loaded module saves as the very bytes it was loaded from. */
Test(serialize, reserializes_identically) {
  wrun_engine *e = wrun_engine_new();
  wrun_module *m = compile_file(e, SER_WASM);
  size_t len1, len2;
  uint8_t *b1 = serialize(m, &len1);
  wrun_module *back = NULL;
  cr_assert_null(wrun_module_deserialize(e, b1, len1, &back));
  uint8_t *b2 = serialize(back, &len2);
  cr_expect_eq(len1, len2);
  cr_expect(memcmp(b1, b2, len1 < len2 ? len1 : len2) == 0);
  wrun_bytes_free(b1);
  wrun_bytes_free(b2);
  wrun_module_delete(back);
  wrun_module_delete(m);
  wrun_engine_delete(e);
}

static int32_t run_export(wrun_engine *e, const wrun_module *m,
                          const char *name, const int32_t *args,
                          size_t nargs) {
  wrun_store *s = wrun_store_new(e);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &trap);
  cr_assert_null(err);
  cr_assert_null(trap);
  int32_t r = call_ok(s, inst, name, args, nargs);
  wrun_store_delete(s);
  return r;
}

/* GC: struct allocation (rtt addresses), stack maps across collecting
 * calls, and casts to function types (interned ids, runtime subtyping). */
Test(serialize, gc_modules) {
  wrun_engine *e = wrun_engine_new();
  wrun_module *list = roundtrip(e, compile_file(e, SER_GC_LIST_WASM));
  int32_t k = 20000;
  cr_expect_eq(run_export(e, list, "run", &k, 1), 199990000);
  k = 5000;
  cr_expect_eq(run_export(e, list, "stack", &k, 1), 12502450);
  wrun_module_delete(list);
  wrun_module *cast = roundtrip(e, compile_file(e, SER_GC_FUNCCAST_WASM));
  const char *names[] = {"on0", "on1", "onnull", "onother", "fail0", "fail1"};
  const int32_t want[] = {1, 1, 0, 0, 1, 0};
  for (int i = 0; i < 6; i++)
    cr_expect_eq(run_export(e, cast, names[i], NULL, 0), want[i], "%s",
                 names[i]);
  wrun_module_delete(cast);
  wrun_engine_delete(e);
}

/* ---- relocations ------------------------------------------------------ */

static uint32_t u32_at(const uint8_t *b) {
  return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}
static uint64_t u64_at(const uint8_t *b) {
  return u32_at(b) | (uint64_t)u32_at(b + 4) << 32;
}

static void fix_checksum(uint8_t *blob, size_t len);
static size_t features_at(const uint8_t *blob, size_t len);

/* Writes 0, in each site's own form, over every relocated value in the
 * blob's code: a load that missed a site would leave a zero address or id
 * in the code. Returns how many sites there are. */
static uint32_t zero_relocated_values(uint8_t *blob, size_t len) {
  size_t at = features_at(blob, len) + 4 + 4 + 8;
  at += 8 + u64_at(blob + at);           /* the wasm */
  uint64_t code_size = u64_at(blob + at);
  uint8_t *code = blob + at + 8;
  at += 8 + code_size;
  at += 4 + 8 * (size_t)u32_at(blob + at); /* function and call entries */
  at += 4 + 4 * (size_t)u32_at(blob + at); /* trampolines */
  at += 4 + 5 * (size_t)u32_at(blob + at); /* traps */
  uint32_t nsyms = u32_at(blob + at);
  at += 4;
  for (uint32_t i = 0; i < nsyms; i++, at += 9) {
    cr_assert_leq(at + 9, len);
    uint32_t off = u32_at(blob + at);
    uint8_t kind = blob[at + 8];
    cr_assert_leq(off + masm_sym_bytes(kind), code_size);
    masm_patch_sym(code, off, kind, 0);
  }
  fix_checksum(blob, len);
  return nsyms;
}

static wrun_module *load_zeroed(wrun_engine *e, const char *path,
                                uint32_t *nsyms) {
  wrun_module *m = compile_file(e, path);
  size_t len;
  uint8_t *blob = serialize(m, &len);
  wrun_module_delete(m);
  *nsyms = zero_relocated_values(blob, len);
  wrun_module *back = NULL;
  wrun_error *err = wrun_module_deserialize(e, blob, len, &back);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wrun_bytes_free(blob);
  return back;
}

/* Every C function address, rtt address and type id comes from the load,
 * not from the bytes saved. */
Test(serialize, relocations_patch_every_site) {
  wrun_engine *e = wrun_engine_new();
  uint32_t n;
  wrun_module *m = load_zeroed(e, SER_WASM, &n);
  /* ids, memory.grow/fill, throw (table.size is inline, no libcall) */
  cr_expect_geq(n, 4);
  trap_seen seen[4];
  exercise_ser(e, m, seen);
  cr_expect_eq(seen[3].code, WRUN_TRAP_UNINITIALIZED_ELEMENT);
  wrun_module_delete(m);
  m = load_zeroed(e, SER_GC_LIST_WASM, &n);
  cr_expect_geq(n, 2); /* struct.new's rtt and allocator */
  int32_t k = 20000;
  cr_expect_eq(run_export(e, m, "run", &k, 1), 199990000);
  wrun_module_delete(m);
  m = load_zeroed(e, SER_GC_FUNCCAST_WASM, &n);
  const char *names[] = {"on0", "on1", "onnull", "onother", "fail0", "fail1"};
  const int32_t want[] = {1, 1, 0, 0, 1, 0};
  for (int i = 0; i < 6; i++)
    cr_expect_eq(run_export(e, m, names[i], NULL, 0), want[i], "%s",
                 names[i]);
  wrun_module_delete(m);
  wrun_engine_delete(e);
}

/* ---- refusals -------------------------------------------------------- */

static char *refusal(wrun_engine *e, const uint8_t *blob, size_t len) {
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_deserialize(e, blob, len, &m);
  cr_assert_not_null(err, "a changed blob was accepted");
  cr_assert_null(m);
  char *msg = strdup(wrun_error_message(err));
  wrun_error_delete(err);
  return msg;
}

/* Offset of the CPU feature word: after magic, format, checksum and the
 * three strings (ISA, version, build). */
static size_t features_at(const uint8_t *blob, size_t len) {
  size_t at = 20;
  for (int i = 0; i < 3; i++) {
    cr_assert_leq(at + 4, len);
    uint32_t n = blob[at] | blob[at + 1] << 8 | blob[at + 2] << 16 |
                 (uint32_t)blob[at + 3] << 24;
    at += 4 + n;
  }
  return at;
}

Test(serialize, refuses_what_differs) {
  wrun_engine *e = wrun_engine_new();
  wrun_module *m = compile_file(e, SER_WASM);
  size_t len;
  uint8_t *blob = serialize(m, &len);
  uint8_t *copy = malloc(len);

  char *msg = refusal(e, (const uint8_t *)"\0asm\1\0\0\0", 8);
  cr_expect(strstr(msg, "bad magic"), "%s", msg);
  free(msg);

  memcpy(copy, blob, len);
  copy[8] ^= 0x40; /* the format version */
  msg = refusal(e, copy, len);
  cr_expect(strstr(msg, "format version"), "%s", msg);
  free(msg);

  memcpy(copy, blob, len);
  size_t v = 20 + 4 + strlen(jit_isa_name()) + 4; /* the version's text */
  cr_assert_eq(memcmp(copy + v, WRUN_VERSION, strlen(WRUN_VERSION)), 0);
  copy[v] = '9';
  msg = refusal(e, copy, len);
  cr_expect(strstr(msg, "made by wrun 9") && strstr(msg, WRUN_VERSION),
            "%s", msg);
  free(msg);

  memcpy(copy, blob, len);
  copy[features_at(copy, len) + 3] |= 0x80; /* a feature no host has */
  msg = refusal(e, copy, len);
  cr_expect(strstr(msg, "CPU features this host lacks: unknown feature bit "
                        "31"), "%s", msg);
  free(msg);

  wrun_config *c = wrun_config_new();
  wrun_config_consume_fuel(c, true);
  wrun_engine *fueled = wrun_engine_new_with_config(c);
  wrun_config_delete(c);
  msg = refusal(fueled, blob, len);
  cr_expect(strstr(msg, "fuel metering off, the engine has it on"), "%s", msg);
  free(msg);
  wrun_engine_delete(fueled);

  memcpy(copy, blob, len);
  copy[len - 1] ^= 1;
  msg = refusal(e, copy, len);
  cr_expect(strstr(msg, "checksum"), "%s", msg);
  free(msg);

  free(copy);
  wrun_bytes_free(blob);
  wrun_module_delete(m);
  wrun_engine_delete(e);
}

#if defined(__x86_64__)
/* Code compiled with popcnt on a host without it: refused, named. */
Test(serialize, refuses_missing_cpu_feature) {
  x64_features have = x64_cpu_features();
  if (!have.popcnt) cr_skip_test("the host has no popcnt to take away");
  wrun_engine *e = wrun_engine_new();
  wrun_module *m = compile_file(e, SER_WASM);
  size_t len;
  uint8_t *blob = serialize(m, &len);
  x64_features less = have;
  less.popcnt = false;
  x64_set_cpu_features(less);
  char *msg = refusal(e, blob, len);
  x64_set_cpu_features(have);
  cr_expect(strstr(msg, "CPU features this host lacks: popcnt"), "%s", msg);
  free(msg);
  wrun_bytes_free(blob);
  wrun_module_delete(m);
  wrun_engine_delete(e);
}
#endif

/* ---- damaged blobs ----------------------------------------------------- */

/* The checksum catches damage before the parser sees it; to test the
 * parser, these blobs get a checksum that matches their damage. */
static void fix_checksum(uint8_t *blob, size_t len) {
  if (len < 20) return;
  uint64_t sum = rt_fnv1a64(blob + 20, len - 20);
  for (int i = 0; i < 8; i++) blob[12 + i] = (uint8_t)(sum >> (8 * i));
}

/* NULL error and module, or a module that is then deleted: never a
 * crash or a read out of bounds (the test runs under ASan in CI). */
static int try_load(wrun_engine *e, const uint8_t *b, size_t len) {
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_deserialize(e, b, len, &m);
  if (err) {
    cr_assert_null(m);
    cr_assert_gt(strlen(wrun_error_message(err)), 0);
    wrun_error_delete(err);
    return 0;
  }
  cr_assert_not_null(m);
  wrun_module_delete(m);
  return 1;
}

Test(serialize, truncations_and_bit_flips, .timeout = 110) {
  wrun_engine *e = wrun_engine_new();
  wrun_module *m = compile_file(e, SER_WASM);
  size_t len;
  uint8_t *blob = serialize(m, &len);
  uint8_t *copy = malloc(len);
  int accepted = 0;
  for (size_t n = 0; n < len; n++) {
    /* as is (the checksum refuses), then with a matching checksum */
    cr_expect_eq(try_load(e, blob, n), 0, "truncated to %zu accepted", n);
    memcpy(copy, blob, n);
    fix_checksum(copy, n);
    cr_expect_eq(try_load(e, copy, n), 0, "truncated to %zu accepted", n);
  }
  for (size_t i = 0; i < len; i++) {
    memcpy(copy, blob, len);
    copy[i] ^= (uint8_t)(1u << (i % 8));
    cr_expect_eq(try_load(e, copy, len), 0, "flip at %zu accepted", i);
    fix_checksum(copy, len);
    accepted += try_load(e, copy, len);
  }
  /* flips in the machine code load (it is trusted, not checked) */
  cr_expect_gt(accepted, 0);
  free(copy);
  wrun_bytes_free(blob);
  wrun_module_delete(m);
  wrun_engine_delete(e);
}
