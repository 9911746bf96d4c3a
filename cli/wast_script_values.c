/* Constants (invoke arguments) and result patterns of the native script
 * parser. See wast_parser.h. */
#include <string.h>

#include "wast_num.h"
#include "wast_parser.h"

/* A number atom, for messages: at most 40 of its characters. */
#define TOK_FMT "%.*s"
#define TOK_ARG(t) (int)((t).len > 40 ? 40 : (t).len), (t).text

static bool read_atom(wast_parser *p, wast_token *out, const char *what) {
  if (p->tok.kind != WAST_TOK_ATOM)
    return wast_p_fail(p, "expected %s", what);
  *out = p->tok;
  wast_p_advance(p);
  return true;
}

static bool read_nan_pattern(const wast_token *t, wast_nan_pattern *out) {
  if (wast_tok_is(t, "nan:canonical")) {
    *out = WAST_NAN_CANONICAL;
    return true;
  }
  if (wast_tok_is(t, "nan:arithmetic")) {
    *out = WAST_NAN_ARITHMETIC;
    return true;
  }
  return false;
}

static bool read_int(wast_parser *p, unsigned bits, uint64_t *out) {
  wast_token t = {0};
  if (!read_atom(p, &t, "an integer"))
    return false;
  if (!wast_parse_int(t.text, t.len, bits, out))
    return wast_p_fail(p, "bad i%u literal " TOK_FMT, bits, TOK_ARG(t));
  return true;
}

/* A float (or float lane) of 32 or 64 bits; *pattern (results only, else
 * NULL) takes nan:canonical / nan:arithmetic. */
static bool read_float(wast_parser *p, unsigned bits, uint64_t *out,
                       wast_nan_pattern *pattern) {
  wast_token t = {0};
  if (!read_atom(p, &t, "a float"))
    return false;
  *out = 0;
  if (pattern && read_nan_pattern(&t, pattern))
    return true;
  bool ok;
  if (bits == 32) {
    uint32_t b = 0;
    ok = wast_parse_f32(t.text, t.len, &b);
    *out = b;
  } else {
    ok = wast_parse_f64(t.text, t.len, out);
  }
  if (!ok)
    return wast_p_fail(p, "bad f%u literal " TOK_FMT, bits, TOK_ARG(t));
  return true;
}

static const struct {
  const char *name;
  wast_lane_type lt;
  unsigned bits;
} shapes[] = {
    {"i8x16", WAST_LANE_I8, 8},   {"i16x8", WAST_LANE_I16, 16},
    {"i32x4", WAST_LANE_I32, 32}, {"i64x2", WAST_LANE_I64, 64},
    {"f32x4", WAST_LANE_F32, 32}, {"f64x2", WAST_LANE_F64, 64},
};

/* v128.const SHAPE LANE*: little-endian lanes. */
static bool read_v128(wast_parser *p, wast_expected *e, bool result) {
  size_t s = 0;
  while (s < sizeof shapes / sizeof shapes[0] && !wast_p_at(p, shapes[s].name))
    s++;
  if (s == sizeof shapes / sizeof shapes[0])
    return wast_p_fail(p, "expected a v128 shape (i8x16 ... f64x2)");
  wast_p_advance(p);
  e->val.type = WRUN_V128;
  e->lane_type = shapes[s].lt;
  unsigned bits = shapes[s].bits, n = 128 / bits;
  bool is_float =
      shapes[s].lt == WAST_LANE_F32 || shapes[s].lt == WAST_LANE_F64;
  for (unsigned i = 0; i < n; i++) {
    uint64_t lane;
    bool ok = is_float ? read_float(p, bits, &lane, result ? &e->nan[i] : NULL)
                       : read_int(p, bits, &lane);
    if (!ok)
      return false;
    for (unsigned b = 0; b < bits / 8; b++)
      e->val.of.v128[i * (bits / 8) + b] = (uint8_t)(lane >> (8 * b));
  }
  return true;
}

/* Heap types of `ref.null`: those wrun's API can hold (as a null funcref,
 * externref or exnref) and the rest. */
static bool read_null(wast_parser *p, wast_expected *e, bool result) {
  if (p->tok.kind == WAST_TOK_RPAR) {
    if (!result)
      return wast_p_fail(p, "ref.null without a heap type");
    e->any_null = true;
    return true;
  }
  wast_token t = {0};
  if (p->tok.kind != WAST_TOK_ATOM && p->tok.kind != WAST_TOK_ID)
    return wast_p_fail(p, "expected a heap type");
  t = p->tok;
  wast_p_advance(p);
  if (wast_tok_is(&t, "func") || wast_tok_is(&t, "nofunc")) {
    e->val.type = WRUN_FUNCREF;
  } else if (wast_tok_is(&t, "extern") || wast_tok_is(&t, "noextern")) {
    e->val.type = WRUN_EXTERNREF;
  } else if (wast_tok_is(&t, "exn") || wast_tok_is(&t, "noexn")) {
    e->val.type = WRUN_EXNREF;
  } else if (wast_tok_is(&t, "any") || wast_tok_is(&t, "eq") ||
             wast_tok_is(&t, "i31") || wast_tok_is(&t, "struct") ||
             wast_tok_is(&t, "array") || wast_tok_is(&t, "none")) {
    e->val.type = WRUN_ANYREF;
  } else {
    /* a type index: its hierarchy is the module's to say */
    wast_p_unsupported(p, "a null reference of a typed heap type: "
                          "not in wrun's API (GC, issue 8)");
  }
  return true;
}

static bool read_extern(wast_parser *p, wast_expected *e, bool result) {
  e->val.type = WRUN_EXTERNREF;
  if (p->tok.kind == WAST_TOK_RPAR) {
    if (!result)
      return wast_p_fail(p, "ref.extern without a number");
    e->any_ref = true;
    return true;
  }
  uint64_t n;
  if (!read_int(p, 64, &n))
    return false;
  if (n == UINT64_MAX)
    return wast_p_fail(p, "ref.extern index too large");
  e->val.of.externref = wast_externref_from_index(n);
  return true;
}

/* Result patterns of reference kinds wrun cannot match: `ref` (any
 * reference at all) and the shared-everything proposal's ref.i31_shared. */
static const char *const gc_patterns[] = {"ref", "ref.i31_shared"};

/* After `(`, the keyword current: a constant or (result) a pattern. */
static bool read_value(wast_parser *p, wast_expected *e, bool result) {
  memset(e, 0, sizeof *e);
  wast_token kw = p->tok;
  if (kw.kind != WAST_TOK_ATOM)
    return wast_p_fail(p, "expected a constant");
  wast_p_advance(p);
  uint64_t bits;
  bool ok = true;
  if (wast_tok_is(&kw, "i32.const")) {
    ok = read_int(p, 32, &bits);
    e->val.type = WRUN_I32;
    e->val.of.i32 = (int32_t)(uint32_t)bits;
  } else if (wast_tok_is(&kw, "i64.const")) {
    ok = read_int(p, 64, &bits);
    e->val.type = WRUN_I64;
    e->val.of.i64 = (int64_t)bits;
  } else if (wast_tok_is(&kw, "f32.const")) {
    ok = read_float(p, 32, &bits, result ? &e->nan[0] : NULL);
    e->val.type = WRUN_F32;
    e->val.of.f32_bits = (uint32_t)bits;
  } else if (wast_tok_is(&kw, "f64.const")) {
    ok = read_float(p, 64, &bits, result ? &e->nan[0] : NULL);
    e->val.type = WRUN_F64;
    e->val.of.f64_bits = bits;
  } else if (wast_tok_is(&kw, "v128.const")) {
    ok = read_v128(p, e, result);
  } else if (wast_tok_is(&kw, "ref.null")) {
    ok = read_null(p, e, result);
  } else if (wast_tok_is(&kw, "ref.extern")) {
    ok = read_extern(p, e, result);
  } else if (wast_tok_is(&kw, "ref.func") && result) {
    e->val.type = WRUN_FUNCREF;
    e->any_ref = true;
  } else if (wast_tok_is(&kw, "ref.host")) {
    ok = read_int(p, 64, &bits) &&
         (bits != UINT64_MAX || wast_p_fail(p, "ref.host index too large"));
    e->val.type = result ? WRUN_ANYREF : WAST_HOST_ANYREF;
    e->val.of.externref = wast_externref_from_index(bits);
    e->want_kind = result;
    e->kind = WRUN_ANYREF_HOST;
  } else if ((wast_tok_is(&kw, "ref.struct") ||
              wast_tok_is(&kw, "ref.array")) && result) {
    e->val.type = WRUN_ANYREF;
    e->want_kind = true;
    e->kind = wast_tok_is(&kw, "ref.struct") ? WRUN_ANYREF_STRUCT
                                              : WRUN_ANYREF_ARRAY;
  } else if (wast_tok_is(&kw, "ref.exn") && result) {
    e->val.type = WRUN_EXNREF;
    e->any_ref = true;
  } else if (wast_tok_is(&kw, "ref.i31") && result) {
    e->val.type = WRUN_ANYREF;
    e->want_i31 = true;
  } else if ((wast_tok_is(&kw, "ref.any") || wast_tok_is(&kw, "ref.eq")) &&
             result) {
    e->val.type = WRUN_ANYREF;
    e->any_ref = true;
  } else {
    size_t i = 0;
    while (result && i < sizeof gc_patterns / sizeof gc_patterns[0] &&
           !wast_tok_is(&kw, gc_patterns[i]))
      i++;
    if (!result || i == sizeof gc_patterns / sizeof gc_patterns[0])
      return wast_p_fail(p, "unknown %s " TOK_FMT,
                         result ? "result" : "constant", TOK_ARG(kw));
    wast_p_unsupported(p, "result patterns `ref` and `ref.i31_shared` "
                          "are not supported");
  }
  return ok && wast_p_expect(p, WAST_TOK_RPAR, "')' after the value");
}

bool wast_p_const(wast_parser *p, wrun_val *out) {
  wast_expected e;
  if (!read_value(p, &e, false))
    return false;
  *out = e.val;
  return true;
}

bool wast_p_result(wast_parser *p, wast_result *out) {
  if (!wast_p_at(p, "either")) {
    out->nalts = 1;
    out->alts = wast_cmds_alloc(p->cmds, sizeof *out->alts);
    if (!out->alts) {
      p->no_memory = true;
      return wast_p_fail(p, "out of memory");
    }
    return read_value(p, &out->alts[0], true);
  }
  wast_p_advance(p);
  /* (either R R ...): the alternatives are plain results, not nested
   * eithers, so this does not recurse. First count them into a small
   * buffer that grows in the arena. */
  size_t cap = 4;
  out->nalts = 0;
  out->alts = wast_cmds_alloc(p->cmds, cap * sizeof *out->alts);
  while (out->alts && p->tok.kind == WAST_TOK_LPAR) {
    wast_p_advance(p);
    if (wast_p_at(p, "either"))
      return wast_p_fail(p, "nested either");
    if (out->nalts == cap) {
      wast_expected *grown =
          cap < 4096 ? wast_cmds_alloc(p->cmds, 2 * cap * sizeof *grown) : NULL;
      if (!grown)
        return wast_p_fail(p, "too many alternatives");
      memcpy(grown, out->alts, cap * sizeof *grown);
      out->alts = grown;
      cap *= 2;
    }
    if (!read_value(p, &out->alts[out->nalts], true))
      return false;
    out->nalts++;
  }
  if (!out->alts) {
    p->no_memory = true;
    return wast_p_fail(p, "out of memory");
  }
  if (out->nalts == 0)
    return wast_p_fail(p, "either without alternatives");
  return wast_p_expect(p, WAST_TOK_RPAR, "')' after either");
}
