/* Unit tests of the spec runner's native script parser: number literals
 * (cli/wast_num.c), the lexer (cli/wast_lex.c) and the commands it makes
 * (cli/wast_script*.c). The parser is pure (it calls nothing of the
 * library), so it is compiled into this test from cli/. */
#include <criterion/criterion.h>
#include <string.h>

#include "wast_lex.h"
#include "wast_num.h"
#include "wast_script.h"

static uint32_t f32_of(const char *text) {
  uint32_t bits = 0;
  cr_assert(wast_parse_f32(text, strlen(text), &bits), "parse f32 %s", text);
  return bits;
}

static uint64_t f64_of(const char *text) {
  uint64_t bits = 0;
  cr_assert(wast_parse_f64(text, strlen(text), &bits), "parse f64 %s", text);
  return bits;
}

static bool f32_ok(const char *text) {
  uint32_t bits;
  return wast_parse_f32(text, strlen(text), &bits);
}

static bool f64_ok(const char *text) {
  uint64_t bits;
  return wast_parse_f64(text, strlen(text), &bits);
}

static uint64_t int_of(const char *text, unsigned bits) {
  uint64_t v = 0;
  cr_assert(wast_parse_int(text, strlen(text), bits, &v), "parse i%u %s", bits,
            text);
  return v;
}

static bool int_ok(const char *text, unsigned bits) {
  uint64_t v;
  return wast_parse_int(text, strlen(text), bits, &v);
}

/* ---- floats ------------------------------------------------------------- */

Test(wast_num, f32_decimal_rounds_once_to_nearest_even) {
  /* 1 + 2^-24 is halfway between 1 and the next float: just below it
   * rounds down, exactly on it ties to even (down), just above rounds up.
   * Rounding through double first would get the first case wrong. */
  cr_assert_eq(f32_of("1.00000005960464477539"), 0x3f800000u);
  cr_assert_eq(f32_of("1.000000059604644775390625"), 0x3f800000u);
  cr_assert_eq(f32_of("1.000000059604644775390626"), 0x3f800001u);
  /* 1 + 3*2^-24: halfway between an odd and an even mantissa: even wins */
  cr_assert_eq(f32_of("1.000000178813934326171875"), 0x3f800002u);
  cr_assert_eq(f32_of("0.1"), 0x3dcccccdu);
  cr_assert_eq(f32_of("-0"), 0x80000000u);
  cr_assert_eq(f32_of("1e-45"), 0x00000001u); /* the smallest subnormal */
  cr_assert_eq(f32_of("3.4028234663852886e38"), 0x7f7fffffu);
  /* FLT_MAX + half an ulp is 3.40282356779733661637...e38 */
  cr_assert_eq(f32_of("3.4028235677973366e38"), 0x7f7fffffu);
  cr_assert(!f32_ok("3.4028235677973367e38")); /* rounds to infinity */
}

Test(wast_num, f32_hex) {
  cr_assert_eq(f32_of("0x1.8p3"), 0x41400000u);
  cr_assert_eq(f32_of("-0x1p-1"), 0xbf000000u);
  cr_assert_eq(f32_of("0x1.fffffefffffffffffp127"), 0x7f7fffffu);
  cr_assert(!f32_ok("0x1.ffffffp127")); /* halfway to 2^128: inf */
  cr_assert_eq(f32_of("0x1p-149"), 0x00000001u);
  cr_assert_eq(f32_of("0x1p-150"), 0x00000000u); /* tie to even: zero */
  cr_assert_eq(f32_of("0x1.000002p-150"), 0x00000001u);
  cr_assert_eq(f32_of("0x10"), 0x41800000u);
  cr_assert_eq(f32_of("0x1."), 0x3f800000u);
  cr_assert_eq(f32_of("0x1_0.8_0p+0_1"), 0x42040000u);
}

Test(wast_num, f64_literals) {
  cr_assert_eq(f64_of("0.1"), UINT64_C(0x3fb999999999999a));
  cr_assert_eq(f64_of("0x1.8p3"), UINT64_C(0x4028000000000000));
  cr_assert_eq(f64_of("1.7976931348623157e308"), UINT64_C(0x7fefffffffffffff));
  cr_assert(!f64_ok("1.7976931348623159e308"));
  cr_assert_eq(f64_of("0x1p-1074"), UINT64_C(1));
  cr_assert_eq(f64_of("1_000.000_1"), f64_of("1000.0001"));
  cr_assert_eq(f64_of("1.e2"), UINT64_C(0x4059000000000000));
  cr_assert_eq(f64_of("+1E2"), UINT64_C(0x4059000000000000));
}

Test(wast_num, inf_and_nan_payloads) {
  cr_assert_eq(f32_of("inf"), 0x7f800000u);
  cr_assert_eq(f32_of("-inf"), 0xff800000u);
  cr_assert_eq(f32_of("nan"), 0x7fc00000u);
  cr_assert_eq(f32_of("-nan"), 0xffc00000u);
  cr_assert_eq(f32_of("+nan"), 0x7fc00000u);
  cr_assert_eq(f32_of("nan:0x200000"), 0x7fa00000u);
  cr_assert_eq(f32_of("nan:0x1"), 0x7f800001u);
  cr_assert_eq(f32_of("-nan:0x7f_ffff"), 0xffffffffu);
  cr_assert(!f32_ok("nan:0x0"));      /* that would be infinity */
  cr_assert(!f32_ok("nan:0x800000")); /* does not fit the mantissa */
  cr_assert(!f32_ok("nan:1"));
  cr_assert_eq(f64_of("nan"), UINT64_C(0x7ff8000000000000));
  cr_assert_eq(f64_of("nan:0x4"), UINT64_C(0x7ff0000000000004));
  cr_assert_eq(f64_of("-nan:0xf_ffff_ffff_ffff"), UINT64_MAX);
  cr_assert(!f64_ok("nan:0x10000000000000"));
  cr_assert_eq(f64_of("-inf"), UINT64_C(0xfff0000000000000));
}

Test(wast_num, float_syntax_is_the_text_formats) {
  /* strtod would take all of these */
  const char *bad[] = {"",
                       "1e",
                       "0x",
                       ".5",
                       "1__0",
                       "_1",
                       "1_",
                       "0x_1",
                       "1._5",
                       "infinity",
                       "nan(1)",
                       " 1",
                       "1 ",
                       "0X1",
                       "0x1e+3p1",
                       "1e+",
                       "--1",
                       "+-1",
                       "nan:canonical",
                       "1p3",
                       "0x1.8e3p",
                       "0x1p1.5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert(!f32_ok(bad[i]), "f32 took \"%s\"", bad[i]);
    cr_assert(!f64_ok(bad[i]), "f64 took \"%s\"", bad[i]);
  }
  /* not NUL-terminated: the length decides */
  uint32_t bits;
  cr_assert(wast_parse_f32("1.5junk", 3, &bits) && bits == 0x3fc00000u);
}

/* ---- integers ---------------------------------------------------------- */

Test(wast_num, integer_ranges) {
  cr_assert_eq(int_of("0xffff_ffff", 32), 0xffffffffu);
  cr_assert_eq(int_of("4294967295", 32), 0xffffffffu);
  cr_assert_eq(int_of("-0x8000_0000", 32), 0x80000000u);
  cr_assert_eq(int_of("-1", 32), 0xffffffffu);
  cr_assert_eq(int_of("+7", 32), 7u);
  cr_assert(!int_ok("-0x8000_0001", 32));
  cr_assert(!int_ok("0x1_0000_0000", 32));
  cr_assert_eq(int_of("-9223372036854775808", 64), UINT64_C(1) << 63);
  cr_assert_eq(int_of("18446744073709551615", 64), UINT64_MAX);
  cr_assert(!int_ok("18446744073709551616", 64));
  cr_assert(!int_ok("-9223372036854775809", 64));
  cr_assert_eq(int_of("255", 8), 255u);
  cr_assert_eq(int_of("-128", 8), 0x80u);
  cr_assert(!int_ok("256", 8));
  cr_assert(!int_ok("-129", 8));
  cr_assert(!int_ok("1.0", 32));
  cr_assert(!int_ok("0x", 32));
  cr_assert(!int_ok("1__0", 32));
  cr_assert(!int_ok("", 32));
}

/* ---- the lexer ----------------------------------------------------------- */

/* The decoded bytes of the first token of text, which must be a string. */
static size_t string_of(const char *text, uint8_t *out, size_t max) {
  wast_lexer lx;
  wast_lex_init(&lx, text, strlen(text));
  wast_token t = wast_lex_next(&lx);
  cr_assert_eq(t.kind, WAST_TOK_STRING, "%s: %s", text, lx.error);
  cr_assert(t.value_len <= max);
  wast_lex_decode(&t, out);
  return t.value_len;
}

static wast_tok_kind first_kind(const char *text) {
  wast_lexer lx;
  wast_lex_init(&lx, text, strlen(text));
  return wast_lex_next(&lx).kind;
}

Test(wast_lex, string_escapes) {
  uint8_t buf[64];
  size_t n = string_of("\"a\\n\\t\\r\\\\\\'\\\"\\41\\ff\"", buf, sizeof buf);
  cr_assert_eq(n, 9);
  cr_assert(memcmp(buf, "a\n\t\r\\'\"\x41\xff", 9) == 0);
  n = string_of("\"\\u{48}\\u{e9}\\u{20ac}\\u{1F600}\\u{10_FFFF}\"", buf,
                sizeof buf);
  cr_assert_eq(n, 1 + 2 + 3 + 4 + 4);
  cr_assert(memcmp(buf, "H\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf",
                   n) == 0);
  n = string_of("\"\\00\"", buf, sizeof buf);
  cr_assert(n == 1 && buf[0] == 0);
  n = string_of("\"caf\xc3\xa9\"", buf, sizeof buf); /* UTF-8 as it is */
  cr_assert(n == 5 && memcmp(buf, "caf\xc3\xa9", 5) == 0);
}

Test(wast_lex, bad_strings) {
  const char *bad[] = {"\"abc",         "\"\\x\"",         "\"\\4\"",
                       "\"\\u{D800}\"", "\"\\u{110000}\"", "\"\\u{}\"",
                       "\"\\u{41\"",    "\"\\u41\"",       "\"a\nb\"",
                       "\"\\",          "\"\x7f\"",        "\"\\u{_41}\""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(first_kind(bad[i]), WAST_TOK_ERROR, "took %s", bad[i]);
}

Test(wast_lex, comments_ids_and_atoms) {
  const char *text = ";; line\n(; block (; nested ;) still ;) "
                     "$id $\"quoted \\41\" i32.const 0x1_0 ;;end";
  wast_lexer lx;
  wast_lex_init(&lx, text, strlen(text));
  wast_token t = wast_lex_next(&lx);
  cr_assert(t.kind == WAST_TOK_ID && t.len == 3 && t.line == 2);
  t = wast_lex_next(&lx);
  cr_assert_eq(t.kind, WAST_TOK_ID);
  uint8_t name[16];
  cr_assert_eq(t.value_len, 8);
  wast_lex_decode(&t, name);
  cr_assert(memcmp(name, "quoted A", 8) == 0);
  t = wast_lex_next(&lx);
  cr_assert(wast_tok_is(&t, "i32.const"));
  t = wast_lex_next(&lx);
  cr_assert(wast_tok_is(&t, "0x1_0"));
  cr_assert_eq(wast_lex_next(&lx).kind, WAST_TOK_EOF);
  cr_assert_eq(first_kind("(; never closed ("), WAST_TOK_ERROR);
  cr_assert_eq(first_kind("(; (; ;)"), WAST_TOK_ERROR);
  cr_assert_eq(first_kind("$"), WAST_TOK_ERROR);
  cr_assert_eq(first_kind("$\"\""), WAST_TOK_ERROR);
  cr_assert_eq(first_kind("\x01"), WAST_TOK_ERROR);
  cr_assert_eq(first_kind("a\"b\""), WAST_TOK_ERROR); /* no delimiter */
}

/* ---- scripts ------------------------------------------------------------ */

static wast_parse_status parse(const char *text, wast_cmds *cmds) {
  unsigned line = 0;
  return wast_parse_script(text, strlen(text), cmds, &line);
}

Test(wast_script, definitions_instances_and_values) {
  const char *text =
      "(module definition $M binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(module instance $I $M)\n"
      "(register \"reg\" $I)\n"
      "(assert_return (invoke $I \"f\" (i32.const -1) (f32.const 0x1p0)\n"
      "   (v128.const i16x8 0 1 2 3 4 5 6 -1))\n"
      "  (either (f64.const nan:canonical) (ref.null))\n"
      "  (v128.const f32x4 nan:arithmetic 1 -0 inf))\n"
      "(assert_trap (module instance) \"oops\")\n"
      "(assert_malformed (module quote \"(func\") \"unexpected\")\n";
  wast_cmds cmds = {0};
  cr_assert_eq(parse(text, &cmds), WAST_PARSE_OK);
  cr_assert_eq(cmds.count, 6);
  const wast_cmd *c = &cmds.items[0];
  cr_assert(c->kind == WAST_CMD_MODULE && c->module.definition &&
            c->module.kind == WAST_MODULE_BINARY && c->module.len == 8);
  cr_assert(memcmp(c->module.bytes, "\0asm\1\0\0\0", 8) == 0);
  cr_assert(strcmp(c->module.name.bytes, "M") == 0);
  c = &cmds.items[1];
  cr_assert(c->module.kind == WAST_MODULE_INSTANCE && c->line == 2);
  cr_assert(strcmp(c->module.name.bytes, "I") == 0 &&
            strcmp(c->module.def.bytes, "M") == 0);
  c = &cmds.items[2];
  cr_assert(c->kind == WAST_CMD_REGISTER && strcmp(c->as.bytes, "reg") == 0 &&
            strcmp(c->action.module.bytes, "I") == 0);
  c = &cmds.items[3];
  cr_assert(c->kind == WAST_CMD_ASSERT_RETURN && c->line == 4);
  cr_assert_eq(c->action.nargs, 3);
  cr_assert_eq(c->action.args[0].of.i32, -1);
  cr_assert_eq(c->action.args[1].of.f32_bits, 0x3f800000u);
  cr_assert(c->action.args[2].of.v128[2] == 1 &&
            c->action.args[2].of.v128[14] == 0xff &&
            c->action.args[2].of.v128[15] == 0xff);
  cr_assert_eq(c->nresults, 2);
  cr_assert_eq(c->results[0].nalts, 2);
  cr_assert_eq(c->results[0].alts[0].nan[0], WAST_NAN_CANONICAL);
  cr_assert(c->results[0].alts[1].any_null);
  const wast_expected *v = &c->results[1].alts[0];
  cr_assert(v->lane_type == WAST_LANE_F32 && v->nan[0] == WAST_NAN_ARITHMETIC &&
            v->nan[1] == WAST_NAN_NONE);
  cr_assert(v->val.of.v128[11] == 0x80 && v->val.of.v128[15] == 0x7f);
  cr_assert_eq(cmds.items[4].kind, WAST_CMD_ASSERT_UNINSTANTIABLE);
  cr_assert(strcmp(cmds.items[4].name, "assert_trap") == 0);
  cr_assert_eq(cmds.items[5].module.kind, WAST_MODULE_TEXT);
  wast_cmds_free(&cmds);
}

/* Found by fuzz-wast-script: an empty string as the only part of a binary
 * module (UBSan: an offset applied to the unallocated buffer). */
Test(wast_script, empty_binary_module) {
  wast_cmds cmds = {0};
  cr_assert_eq(parse("(module binary \"\")(module binary)", &cmds),
               WAST_PARSE_OK);
  cr_assert_eq(cmds.count, 2);
  for (size_t i = 0; i < 2; i++)
    cr_assert(cmds.items[i].kind == WAST_CMD_MODULE &&
              cmds.items[i].module.kind == WAST_MODULE_BINARY &&
              cmds.items[i].module.len == 0);
  wast_cmds_free(&cmds);
}

Test(wast_script, text_modules_need_converting) {
  const char *texts[] = {
      "(module (func))", "(module $m quote \"(func)\")",
      "(assert_invalid (module (func)) \"type mismatch\")",
      "(func) (memory 0)", /* an inline module */
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    wast_cmds cmds = {0};
    cr_assert_eq(parse(texts[i], &cmds), WAST_PARSE_TEXT_MODULE, "%s",
                 texts[i]);
    cr_assert_eq(cmds.count, 0);
  }
}

Test(wast_script, unreadable_commands_fail_alone) {
  const char *text =
      "(assert_return (invoke \"f\" (i32.const 0x1_0000_0000)))\n"
      "(invoke \"g\" (ref.null $t))\n"
      "(frobnicate 1 (2) 3)\n"
      "(invoke \"h\")\n"
      "(assert_return (invoke \"s\") (ref.i31_shared))\n"
      "(get \"x\" \"unterminated)";
  wast_cmds cmds = {0};
  cr_assert_eq(parse(text, &cmds), WAST_PARSE_OK);
  cr_assert_eq(cmds.count, 6);
  cr_assert_eq(cmds.items[0].kind, WAST_CMD_BAD);
  cr_assert(strstr(cmds.items[0].text.bytes, "bad i32 literal"));
  cr_assert(cmds.items[1].kind == WAST_CMD_ACTION && cmds.items[1].unsupported);
  cr_assert_eq(cmds.items[2].kind, WAST_CMD_BAD);
  cr_assert(cmds.items[3].kind == WAST_CMD_ACTION &&
            !cmds.items[3].unsupported && cmds.items[3].line == 4);
  cr_assert(cmds.items[4].kind == WAST_CMD_ASSERT_RETURN &&
            cmds.items[4].unsupported);
  cr_assert(cmds.items[5].kind == WAST_CMD_BAD &&
            strstr(cmds.items[5].text.bytes, "unterminated string"));
  wast_cmds_free(&cmds);
}

Test(wast_script, nesting_is_capped) {
  size_t n = 100000;
  char *text = malloc(n + 1);
  cr_assert(text);
  memset(text, '(', n);
  text[n] = '\0';
  wast_cmds cmds = {0};
  cr_assert_eq(parse(text, &cmds), WAST_PARSE_OK);
  /* "(" then no keyword: one bad command; skipping it reaches the cap,
   * which ends the script with a second one */
  cr_assert_eq(cmds.count, 2);
  cr_assert_eq(cmds.items[0].kind, WAST_CMD_BAD);
  cr_assert(cmds.items[1].kind == WAST_CMD_BAD &&
            strstr(cmds.items[1].text.bytes, "nesting deeper"));
  wast_cmds_free(&cmds);
  free(text);
}
