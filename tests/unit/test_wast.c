/* Unit tests of the spec runner's pure helpers: value parsing, NaN
 * patterns, matching, trap texts and the expected-failure list.
 *
 * The helpers live in the `wrun` program, not in libwrun, so they are
 * compiled into this test directly (the unit-test loop links libwrun only);
 * they call nothing of the library. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cli/wast_values.c"
#include "../../cli/xfail.c"

static wrun_val scalar(wrun_valtype t, const char *text) {
  wrun_val v;
  cr_assert(wast_parse_scalar(t, text, &v), "parse %s", text);
  return v;
}

/* ---- parsing ------------------------------------------------------------- */

Test(wast_parse, valtype_names) {
  wrun_valtype t;
  cr_assert(wast_parse_valtype("i32", &t) && t == WRUN_I32);
  cr_assert(wast_parse_valtype("externref", &t) && t == WRUN_EXTERNREF);
  cr_assert(wast_parse_valtype("v128", &t) && t == WRUN_V128);
  cr_assert(!wast_parse_valtype("i33", &t));
  cr_assert(!wast_parse_valtype(NULL, &t));
}

Test(wast_parse, decimal_bits_in_range) {
  uint64_t v;
  cr_assert(wast_parse_bits("4294967295", 32, &v) && v == 0xffffffffu);
  cr_assert(!wast_parse_bits("4294967296", 32, &v));
  cr_assert(wast_parse_bits("18446744073709551615", 64, &v) &&
            v == UINT64_MAX);
  cr_assert(!wast_parse_bits("18446744073709551616", 64, &v));
  cr_assert(wast_parse_bits("-1", 32, &v) && v == 0xffffffffu);
  cr_assert(wast_parse_bits("255", 8, &v) && v == 255);
  cr_assert(!wast_parse_bits("256", 8, &v));
}

Test(wast_parse, rejects_junk) {
  uint64_t v;
  cr_assert(!wast_parse_bits("", 32, &v));
  cr_assert(!wast_parse_bits(" 1", 32, &v));
  cr_assert(!wast_parse_bits("+1", 32, &v));
  cr_assert(!wast_parse_bits("12x", 32, &v));
  cr_assert(!wast_parse_bits("-", 32, &v));
  cr_assert(!wast_parse_bits(NULL, 32, &v));
}

Test(wast_parse, scalars) {
  cr_assert_eq(scalar(WRUN_I32, "4294967295").of.i32, -1);
  cr_assert_eq(scalar(WRUN_I64, "9223372036854775808").of.i64, INT64_MIN);
  cr_assert_eq(scalar(WRUN_F32, "1069547520").of.f32_bits, 0x3fc00000u);
  cr_assert_eq(scalar(WRUN_F64, "9221120237041090560").of.f64_bits,
               UINT64_C(0x7ff8000000000000));
  cr_assert_eq(scalar(WRUN_F32, "0").type, WRUN_F32);
}

Test(wast_parse, references) {
  cr_assert_null(scalar(WRUN_EXTERNREF, "null").of.externref);
  cr_assert_null(scalar(WRUN_FUNCREF, "null").of.funcref);
  /* ref.extern 0 must not be the null reference. */
  cr_assert_eq(scalar(WRUN_EXTERNREF, "0").of.externref, (void *)1);
  cr_assert_eq(scalar(WRUN_EXTERNREF, "41").of.externref,
               wast_externref_from_index(41));
  wrun_val v;
  cr_assert(!wast_parse_scalar(WRUN_FUNCREF, "3", &v));
  cr_assert(!wast_parse_scalar(WRUN_V128, "3", &v));
}

Test(wast_parse, v128_lanes_little_endian) {
  const char *i16[] = {"1", "65535", "0", "0", "0", "0", "0", "258"};
  wrun_val v;
  cr_assert(wast_parse_v128(WAST_LANE_I16, i16, 8, &v));
  cr_assert_eq(v.type, WRUN_V128);
  cr_assert_eq(v.of.v128[0], 1);
  cr_assert_eq(v.of.v128[1], 0);
  cr_assert_eq(v.of.v128[2], 0xff);
  cr_assert_eq(v.of.v128[3], 0xff);
  cr_assert_eq(v.of.v128[14], 2);
  cr_assert_eq(v.of.v128[15], 1);

  const char *f64[] = {"4607182418800017408", "0"};
  cr_assert(wast_parse_v128(WAST_LANE_F64, f64, 2, &v));
  cr_assert_eq(v.of.v128[7], 0x3f);
  cr_assert_eq(v.of.v128[6], 0xf0);
}

Test(wast_parse, v128_lane_count_and_width) {
  const char *three[] = {"1", "2", "3"};
  const char *big[] = {"256", "0", "0", "0", "0", "0", "0", "0",
                       "0", "0", "0", "0", "0", "0", "0", "0"};
  const char *nan[] = {"nan:canonical", "0", "0", "0"};
  wrun_val v;
  cr_assert(!wast_parse_v128(WAST_LANE_I32, three, 3, &v));
  cr_assert(!wast_parse_v128(WAST_LANE_I8, big, 16, &v));
  /* Arguments are concrete: no NaN patterns. */
  cr_assert(!wast_parse_v128(WAST_LANE_F32, nan, 4, &v));
}

/* ---- NaN patterns -------------------------------------------------------- */

Test(wast_nan, f32_patterns) {
  cr_assert(wast_f32_matches_nan(0x7fc00000u, WAST_NAN_CANONICAL));
  cr_assert(wast_f32_matches_nan(0xffc00000u, WAST_NAN_CANONICAL));
  cr_assert(!wast_f32_matches_nan(0x7fc00001u, WAST_NAN_CANONICAL));
  cr_assert(!wast_f32_matches_nan(0x7fa00000u, WAST_NAN_CANONICAL));
  cr_assert(wast_f32_matches_nan(0x7fc00001u, WAST_NAN_ARITHMETIC));
  cr_assert(wast_f32_matches_nan(0xffffffffu, WAST_NAN_ARITHMETIC));
  /* A signalling NaN is not arithmetic; infinity is no NaN at all. */
  cr_assert(!wast_f32_matches_nan(0x7fa00000u, WAST_NAN_ARITHMETIC));
  cr_assert(!wast_f32_matches_nan(0x7f800000u, WAST_NAN_ARITHMETIC));
}

Test(wast_nan, f64_patterns) {
  uint64_t canonical = UINT64_C(0x7ff8000000000000);
  cr_assert(wast_f64_matches_nan(canonical, WAST_NAN_CANONICAL));
  cr_assert(wast_f64_matches_nan(canonical | (UINT64_C(1) << 63),
                                 WAST_NAN_CANONICAL));
  cr_assert(!wast_f64_matches_nan(canonical | 1, WAST_NAN_CANONICAL));
  cr_assert(wast_f64_matches_nan(canonical | 1, WAST_NAN_ARITHMETIC));
  cr_assert(!wast_f64_matches_nan(UINT64_C(0x7ff4000000000000),
                                  WAST_NAN_ARITHMETIC));
  cr_assert(!wast_f64_matches_nan(UINT64_C(0x7ff0000000000000),
                                  WAST_NAN_CANONICAL));
}

/* ---- matching ------------------------------------------------------------ */

Test(wast_match, exact_scalars_compare_bits) {
  wast_expected e;
  cr_assert(wast_parse_expected_scalar(WRUN_F32, "2143289344", &e));
  wrun_val got = scalar(WRUN_F32, "2143289344");
  cr_assert(wast_value_matches(&e, &got));
  got.of.f32_bits |= 1; /* another NaN payload is another value */
  cr_assert(!wast_value_matches(&e, &got));

  cr_assert(wast_parse_expected_scalar(WRUN_F64, "0", &e));
  got = scalar(WRUN_F64, "9223372036854775808"); /* -0.0 */
  cr_assert(!wast_value_matches(&e, &got));
}

Test(wast_match, type_must_agree) {
  wast_expected e;
  cr_assert(wast_parse_expected_scalar(WRUN_I32, "0", &e));
  wrun_val got = scalar(WRUN_I64, "0");
  cr_assert(!wast_value_matches(&e, &got));
}

Test(wast_match, scalar_nan_patterns) {
  wast_expected e;
  cr_assert(wast_parse_expected_scalar(WRUN_F32, "nan:canonical", &e));
  cr_assert_eq(e.nan[0], WAST_NAN_CANONICAL);
  wrun_val got = scalar(WRUN_F32, "4290772992"); /* 0xffc00000 */
  cr_assert(wast_value_matches(&e, &got));
  got = scalar(WRUN_F32, "1065353216"); /* 1.0 */
  cr_assert(!wast_value_matches(&e, &got));

  cr_assert(wast_parse_expected_scalar(WRUN_F64, "nan:arithmetic", &e));
  got = scalar(WRUN_F64, "9221120237041090561");
  cr_assert(wast_value_matches(&e, &got));
  /* Patterns are for floats only. */
  cr_assert(!wast_parse_expected_scalar(WRUN_I32, "nan:canonical", &e));
}

Test(wast_match, v128_lanes_with_patterns) {
  const char *want[] = {"nan:canonical", "1065353216", "nan:arithmetic",
                        "0"};
  wast_expected e;
  cr_assert(wast_parse_expected_v128(WAST_LANE_F32, want, 4, &e));
  const char *good[] = {"2143289344", "1065353216", "2143289345", "0"};
  const char *bad[] = {"2143289345", "1065353216", "2143289345", "0"};
  wrun_val got;
  cr_assert(wast_parse_v128(WAST_LANE_F32, good, 4, &got));
  cr_assert(wast_value_matches(&e, &got));
  cr_assert(wast_parse_v128(WAST_LANE_F32, bad, 4, &got));
  cr_assert(!wast_value_matches(&e, &got));
}

Test(wast_match, v128_integer_lanes) {
  const char *want[] = {"4294967295", "0", "1", "2"};
  wast_expected e;
  cr_assert(wast_parse_expected_v128(WAST_LANE_I32, want, 4, &e));
  /* The same bits seen as i8 lanes still match: only bits count. */
  const char *got8[] = {"255", "255", "255", "255", "0", "0", "0", "0",
                        "1", "0", "0", "0", "2", "0", "0", "0"};
  wrun_val got;
  cr_assert(wast_parse_v128(WAST_LANE_I8, got8, 16, &got));
  cr_assert(wast_value_matches(&e, &got));
  got.of.v128[15] = 1;
  cr_assert(!wast_value_matches(&e, &got));
  /* NaN patterns are not allowed in integer lanes. */
  const char *nan[] = {"nan:canonical", "0", "0", "0"};
  cr_assert(!wast_parse_expected_v128(WAST_LANE_I32, nan, 4, &e));
}

Test(wast_match, references) {
  wast_expected e;
  wrun_val got = {.type = WRUN_EXTERNREF};
  cr_assert(wast_parse_expected_scalar(WRUN_EXTERNREF, "null", &e));
  cr_assert(wast_value_matches(&e, &got));
  cr_assert(wast_parse_expected_scalar(WRUN_EXTERNREF, "7", &e));
  cr_assert(!wast_value_matches(&e, &got));
  got.of.externref = wast_externref_from_index(7);
  cr_assert(wast_value_matches(&e, &got));

  /* A funcref expectation without a value accepts any non-null one. */
  cr_assert(wast_parse_expected_scalar(WRUN_FUNCREF, NULL, &e));
  wrun_val func = {.type = WRUN_FUNCREF};
  cr_assert(!wast_value_matches(&e, &func));
  func.of.funcref = (wrun_func *)&e;
  cr_assert(wast_value_matches(&e, &func));
  cr_assert(wast_parse_expected_scalar(WRUN_FUNCREF, "null", &e));
  cr_assert(!wast_value_matches(&e, &func));
}

Test(wast_match, trap_texts) {
  cr_assert(wast_trap_text_matches("integer divide by zero",
                                   "integer divide by zero"));
  cr_assert(wast_trap_text_matches("wasm trap: out of bounds memory access",
                                   "out of bounds memory access"));
  cr_assert(wast_trap_text_matches("uninitialized element",
                                   "uninitialized element 2"));
  cr_assert(!wast_trap_text_matches("unreachable", "integer overflow"));
  cr_assert(!wast_trap_text_matches("", "unreachable"));
  cr_assert(!wast_trap_text_matches(NULL, "unreachable"));
}

/* ---- printing ------------------------------------------------------------ */

Test(wast_format, values_and_patterns) {
  char buf[200];
  wrun_val v = scalar(WRUN_I32, "4294967295");
  wast_format_value(&v, WAST_LANE_NONE, buf, sizeof buf);
  cr_assert_str_eq(buf, "i32:4294967295 (-1)");
  v = scalar(WRUN_F32, "1069547520");
  wast_format_value(&v, WAST_LANE_NONE, buf, sizeof buf);
  cr_assert_str_eq(buf, "f32:1.5 (0x3fc00000)");

  wast_expected e;
  cr_assert(wast_parse_expected_scalar(WRUN_F64, "nan:canonical", &e));
  wast_format_expected(&e, buf, sizeof buf);
  cr_assert_str_eq(buf, "f64:nan:canonical");
  cr_assert(wast_parse_expected_scalar(WRUN_EXTERNREF, "0", &e));
  wast_format_expected(&e, buf, sizeof buf);
  cr_assert_str_eq(buf, "ref.extern 0");

  const char *lanes[] = {"1", "2", "3", "4"};
  cr_assert(wast_parse_expected_v128(WAST_LANE_I32, lanes, 4, &e));
  wast_format_expected(&e, buf, sizeof buf);
  cr_assert_str_eq(buf, "v128:i32[1 2 3 4]");
}

Test(wast_format, truncates_safely) {
  char buf[8];
  const char *lanes[] = {"1", "2", "3", "4"};
  wast_expected e;
  cr_assert(wast_parse_expected_v128(WAST_LANE_I32, lanes, 4, &e));
  wast_format_expected(&e, buf, sizeof buf);
  cr_assert_eq(strlen(buf), 7);
}

/* ---- expected-failure list ----------------------------------------------- */

Test(xfail, parses_entries_and_comments) {
  bool is_entry;
  char *file = NULL;
  unsigned line = 0;
  cr_assert(xfail_parse_line("# header\n", &is_entry, &file, &line));
  cr_assert(!is_entry);
  cr_assert(xfail_parse_line("   \n", &is_entry, &file, &line));
  cr_assert(!is_entry);
  cr_assert(xfail_parse_line("i32.wast:120  wrong NaN sign\n", &is_entry,
                             &file, &line));
  cr_assert(is_entry);
  cr_assert_str_eq(file, "i32.wast");
  cr_assert_eq(line, 120);
  free(file);
  cr_assert(xfail_parse_line("\tf32.wast:7# why", &is_entry, &file, &line));
  cr_assert(is_entry);
  cr_assert_str_eq(file, "f32.wast");
  cr_assert_eq(line, 7);
  free(file);
}

Test(xfail, rejects_malformed_lines) {
  bool is_entry;
  char *file = NULL;
  unsigned line;
  cr_assert(!xfail_parse_line("i32.wast reason", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line("i32.wast:12a", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line(":12", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line("i32.wast:", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line("i32.wast:0", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line("i32.wast:**", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line("i32.wast:*1", &is_entry, &file, &line));
  cr_assert(!xfail_parse_line(":*", &is_entry, &file, &line));
  cr_assert_null(file);
}

Test(xfail, whole_file_entries) {
  bool is_entry;
  char *file = NULL;
  unsigned line = 1;
  cr_assert(xfail_parse_line("memory64.wast:*  memory64\n", &is_entry, &file,
                             &line));
  cr_assert(is_entry);
  cr_assert_str_eq(file, "memory64.wast");
  cr_assert_eq(line, XFAIL_WHOLE_FILE);
  free(file);
  /* a line entry wins over the file's entry; the file's covers the rest,
   * including a failure of the whole script (line 0) */
  xfail_list list = {0};
  cr_assert(xfail_add(&list, "a.wast", XFAIL_WHOLE_FILE));
  cr_assert(xfail_add(&list, "a.wast", 12));
  cr_assert_eq(xfail_find(&list, "a.wast", 12), &list.entries[1]);
  cr_assert_eq(xfail_find(&list, "a.wast", 13), &list.entries[0]);
  cr_assert_eq(xfail_find(&list, "a.wast", 0), &list.entries[0]);
  cr_assert_null(xfail_find(&list, "b.wast", 12));
  xfail_free(&list);
}

Test(xfail, load_and_find) {
  char path[] = "/tmp/wrun-xfail-XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# list\n\nfloat_exprs.wast:10 x\nsimd_lane.wast:20\n", f);
  fclose(f);
  xfail_list list = {0};
  char err[200];
  bool ok = xfail_load(&list, path, err, sizeof err);
  unlink(path);
  cr_assert(ok, "%s", err);
  cr_assert_eq(list.count, 2);
  cr_assert_not_null(xfail_find(&list, "float_exprs.wast", 10));
  cr_assert_not_null(xfail_find(&list, "simd_lane.wast", 20));
  cr_assert_null(xfail_find(&list, "simd_lane.wast", 10));
  xfail_free(&list);
  cr_assert_eq(list.count, 0);
}

Test(xfail, load_reports_bad_line) {
  char path[] = "/tmp/wrun-xfail-XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("ok.wast:1\nbroken line\n", f);
  fclose(f);
  xfail_list list = {0};
  char err[200];
  bool ok = xfail_load(&list, path, err, sizeof err);
  unlink(path);
  cr_assert(!ok);
  cr_assert(strstr(err, ":2:") != NULL, "%s", err);
  xfail_free(&list);
}

Test(wast_format, integers_show_signed_reading_when_negative) {
  char buf[100];
  wrun_val v = scalar(WRUN_I32, "7");
  wast_format_value(&v, WAST_LANE_NONE, buf, sizeof buf);
  cr_assert_str_eq(buf, "i32:7");
  v = scalar(WRUN_I64, "18446744073709551614");
  wast_format_value(&v, WAST_LANE_NONE, buf, sizeof buf);
  cr_assert_str_eq(buf, "i64:18446744073709551614 (-2)");
}

Test(wast_format, float_lanes_compact) {
  char buf[200];
  const char *lanes[] = {"2143289344", "1069547520", "2147483648", "0"};
  wrun_val v;
  cr_assert(wast_parse_v128(WAST_LANE_F32, lanes, 4, &v));
  wast_format_value(&v, WAST_LANE_F32, buf, sizeof buf);
  cr_assert_str_eq(buf, "v128:f32[nan:0x7fc00000 1.5 -0 0]");
}
