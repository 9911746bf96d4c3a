/* Spec-test values: parsing, matching and printing. See wast_values.h. */
#include "wast_values.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *wast_externref_from_index(uint64_t n) {
  return (void *)(uintptr_t)(n + 1);
}

const char *wast_anyref_kind_name(const void *anyref) {
  switch (wrun_anyref_kind_of(anyref)) {
  case WRUN_ANYREF_NULL: return "ref.null any";
  case WRUN_ANYREF_I31: return "ref.i31";
  case WRUN_ANYREF_STRUCT: return "ref.struct";
  case WRUN_ANYREF_ARRAY: return "ref.array";
  default: return "ref.host";
  }
}

bool wast_parse_valtype(const char *name, wrun_valtype *out) {
  static const struct { const char *name; wrun_valtype type; } names[] = {
    {"i32", WRUN_I32}, {"i64", WRUN_I64}, {"f32", WRUN_F32},
    {"f64", WRUN_F64}, {"v128", WRUN_V128}, {"funcref", WRUN_FUNCREF},
    {"externref", WRUN_EXTERNREF}, {"exnref", WRUN_EXNREF},
  };
  if (!name)
    return false;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].type;
      return true;
    }
  }
  return false;
}

const char *wast_valtype_name(wrun_valtype t) {
  return wrun_valtype_name(t);
}

bool wast_parse_lane_type(const char *name, wast_lane_type *out) {
  static const struct { const char *name; wast_lane_type lt; } names[] = {
    {"i8", WAST_LANE_I8}, {"i16", WAST_LANE_I16}, {"i32", WAST_LANE_I32},
    {"i64", WAST_LANE_I64}, {"f32", WAST_LANE_F32}, {"f64", WAST_LANE_F64},
  };
  if (!name)
    return false;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].lt;
      return true;
    }
  }
  return false;
}

static unsigned lane_bits(wast_lane_type lt) {
  switch (lt) {
  case WAST_LANE_I8: return 8;
  case WAST_LANE_I16: return 16;
  case WAST_LANE_I32: case WAST_LANE_F32: return 32;
  case WAST_LANE_I64: case WAST_LANE_F64: return 64;
  case WAST_LANE_NONE: break;
  }
  return 0;
}

unsigned wast_lane_count(wast_lane_type lt) {
  unsigned bits = lane_bits(lt);
  return bits ? 128 / bits : 0;
}

bool wast_parse_bits(const char *text, unsigned bits, uint64_t *out) {
  if (!text || !*text || bits == 0 || bits > 64)
    return false;
  /* strtoull would silently accept leading blanks and '+'. */
  if (!(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
    return false;
  char *end = NULL;
  errno = 0;
  uint64_t v;
  uint64_t mask = bits == 64 ? UINT64_MAX : ((UINT64_C(1) << bits) - 1);
  if (text[0] == '-') {
    long long s = strtoll(text, &end, 10);
    if (errno || *end || end == text + 1)
      return false;
    if (bits < 64 && s < -(long long)(UINT64_C(1) << (bits - 1)))
      return false;
    v = (uint64_t)s & mask;
  } else {
    unsigned long long u = strtoull(text, &end, 10);
    if (errno || *end)
      return false;
    if ((uint64_t)u > mask)
      return false;
    v = (uint64_t)u;
  }
  *out = v;
  return true;
}

static bool parse_reference(wrun_valtype type, const char *text,
                            wrun_val *out) {
  if (strcmp(text, "null") == 0) {
    if (type == WRUN_FUNCREF)
      out->of.funcref = NULL;
    else if (type == WRUN_EXNREF)
      out->of.exnref = NULL;
    else
      out->of.externref = NULL;
    return true;
  }
  /* A funcref cannot be written as a number: there is no host function N. */
  uint64_t n;
  if (type != WRUN_EXTERNREF || !wast_parse_bits(text, 64, &n) ||
      n == UINT64_MAX)
    return false;
  out->of.externref = wast_externref_from_index(n);
  return true;
}

bool wast_parse_scalar(wrun_valtype type, const char *text, wrun_val *out) {
  if (!text)
    return false;
  uint64_t bits;
  memset(out, 0, sizeof *out);
  out->type = type;
  switch (type) {
  case WRUN_I32:
    if (!wast_parse_bits(text, 32, &bits))
      return false;
    out->of.i32 = (int32_t)(uint32_t)bits;
    return true;
  case WRUN_F32:
    if (!wast_parse_bits(text, 32, &bits))
      return false;
    out->of.f32_bits = (uint32_t)bits;
    return true;
  case WRUN_I64:
    if (!wast_parse_bits(text, 64, &bits))
      return false;
    out->of.i64 = (int64_t)bits;
    return true;
  case WRUN_F64:
    if (!wast_parse_bits(text, 64, &bits))
      return false;
    out->of.f64_bits = bits;
    return true;
  case WRUN_FUNCREF:
  case WRUN_EXTERNREF:
  case WRUN_EXNREF:
    return parse_reference(type, text, out);
  case WRUN_V128:
  case WRUN_ANYREF: /* the 2.0 JSON has no anyref */
    break;
  }
  return false;
}

/* Little-endian lane store, independent of the host's byte order. */
static void store_lane(uint8_t v[16], unsigned bytes, unsigned index,
                       uint64_t bits) {
  for (unsigned b = 0; b < bytes; b++)
    v[index * bytes + b] = (uint8_t)(bits >> (8 * b));
}

static uint64_t load_lane(const uint8_t v[16], unsigned bytes,
                          unsigned index) {
  uint64_t bits = 0;
  for (unsigned b = 0; b < bytes; b++)
    bits |= (uint64_t)v[index * bytes + b] << (8 * b);
  return bits;
}

static bool parse_nan_pattern(const char *text, wast_nan_pattern *out) {
  if (strcmp(text, "nan:canonical") == 0) {
    *out = WAST_NAN_CANONICAL;
    return true;
  }
  if (strcmp(text, "nan:arithmetic") == 0) {
    *out = WAST_NAN_ARITHMETIC;
    return true;
  }
  return false;
}

static bool is_float_lane(wast_lane_type lt) {
  return lt == WAST_LANE_F32 || lt == WAST_LANE_F64;
}

/* Shared by arguments (patterns == NULL: no NaN patterns allowed) and
 * expectations. */
static bool parse_lanes(wast_lane_type lt, const char *const *lanes,
                        size_t nlanes, wrun_val *out,
                        wast_nan_pattern *patterns) {
  unsigned bits = lane_bits(lt);
  if (bits == 0 || !lanes || nlanes != wast_lane_count(lt))
    return false;
  memset(out, 0, sizeof *out);
  out->type = WRUN_V128;
  for (unsigned i = 0; i < nlanes; i++) {
    if (!lanes[i])
      return false;
    uint64_t lane;
    if (patterns && is_float_lane(lt) &&
        parse_nan_pattern(lanes[i], &patterns[i]))
      continue; /* bits stay 0: the pattern decides */
    if (!wast_parse_bits(lanes[i], bits, &lane))
      return false;
    store_lane(out->of.v128, bits / 8, i, lane);
  }
  return true;
}

bool wast_parse_v128(wast_lane_type lt, const char *const *lanes,
                     size_t nlanes, wrun_val *out) {
  return parse_lanes(lt, lanes, nlanes, out, NULL);
}

bool wast_parse_expected_scalar(wrun_valtype type, const char *text,
                                wast_expected *out) {
  memset(out, 0, sizeof *out);
  out->val.type = type;
  if (type == WRUN_FUNCREF || type == WRUN_EXTERNREF) {
    if (!text) {
      out->any_ref = true;
      return true;
    }
    return wast_parse_scalar(type, text, &out->val);
  }
  if (!text || type == WRUN_V128)
    return false;
  if ((type == WRUN_F32 || type == WRUN_F64) &&
      parse_nan_pattern(text, &out->nan[0]))
    return true;
  return wast_parse_scalar(type, text, &out->val);
}

bool wast_parse_expected_v128(wast_lane_type lt, const char *const *lanes,
                              size_t nlanes, wast_expected *out) {
  memset(out, 0, sizeof *out);
  out->lane_type = lt;
  return parse_lanes(lt, lanes, nlanes, &out->val, out->nan);
}

bool wast_f32_matches_nan(uint32_t bits, wast_nan_pattern p) {
  const uint32_t quiet_nan = 0x7fc00000u;
  switch (p) {
  case WAST_NAN_CANONICAL: return (bits & 0x7fffffffu) == quiet_nan;
  case WAST_NAN_ARITHMETIC: return (bits & quiet_nan) == quiet_nan;
  case WAST_NAN_NONE: break;
  }
  return false;
}

bool wast_f64_matches_nan(uint64_t bits, wast_nan_pattern p) {
  const uint64_t quiet_nan = UINT64_C(0x7ff8000000000000);
  switch (p) {
  case WAST_NAN_CANONICAL:
    return (bits & UINT64_C(0x7fffffffffffffff)) == quiet_nan;
  case WAST_NAN_ARITHMETIC: return (bits & quiet_nan) == quiet_nan;
  case WAST_NAN_NONE: break;
  }
  return false;
}

static bool v128_matches(const wast_expected *e, const uint8_t got[16]) {
  unsigned bytes = lane_bits(e->lane_type) / 8;
  unsigned n = wast_lane_count(e->lane_type);
  for (unsigned i = 0; i < n; i++) {
    uint64_t lane = load_lane(got, bytes, i);
    wast_nan_pattern p = is_float_lane(e->lane_type) ? e->nan[i]
                                                     : WAST_NAN_NONE;
    if (p != WAST_NAN_NONE) {
      bool ok = bytes == 4 ? wast_f32_matches_nan((uint32_t)lane, p)
                           : wast_f64_matches_nan(lane, p);
      if (!ok)
        return false;
    } else if (lane != load_lane(e->val.of.v128, bytes, i)) {
      return false;
    }
  }
  return true;
}

bool wast_value_matches(const wast_expected *e, const wrun_val *got) {
  if (e->any_null)
    return (got->type == WRUN_FUNCREF && !got->of.funcref) ||
           (got->type == WRUN_EXTERNREF && !got->of.externref) ||
           (got->type == WRUN_EXNREF && !got->of.exnref) ||
           (got->type == WRUN_ANYREF && !got->of.anyref);
  if (e->val.type != got->type)
    return false;
  switch (got->type) {
  case WRUN_I32: return got->of.i32 == e->val.of.i32;
  case WRUN_I64: return got->of.i64 == e->val.of.i64;
  case WRUN_F32:
    if (e->nan[0] != WAST_NAN_NONE)
      return wast_f32_matches_nan(got->of.f32_bits, e->nan[0]);
    return got->of.f32_bits == e->val.of.f32_bits;
  case WRUN_F64:
    if (e->nan[0] != WAST_NAN_NONE)
      return wast_f64_matches_nan(got->of.f64_bits, e->nan[0]);
    return got->of.f64_bits == e->val.of.f64_bits;
  case WRUN_V128: return v128_matches(e, got->of.v128);
  case WRUN_FUNCREF:
    if (e->any_ref)
      return got->of.funcref != NULL;
    return got->of.funcref == e->val.of.funcref;
  case WRUN_EXTERNREF:
    if (e->any_ref)
      return got->of.externref != NULL;
    return got->of.externref == e->val.of.externref;
  case WRUN_EXNREF:
    if (e->any_ref)
      return got->of.exnref != NULL;
    return got->of.exnref == e->val.of.exnref;
  case WRUN_ANYREF:
    if (e->want_i31)
      return wrun_anyref_i31(got->of.anyref, NULL);
    if (e->want_kind && e->kind == WRUN_ANYREF_HOST) {
      void *host;
      return wrun_anyref_host(got->of.anyref, &host) &&
             host == e->val.of.externref;
    }
    if (e->want_kind)
      return wrun_anyref_kind_of(got->of.anyref) == e->kind;
    if (e->any_ref)
      return got->of.anyref != NULL;
    return got->of.anyref == e->val.of.anyref;
  }
  return false;
}

bool wast_trap_text_matches(const char *message, const char *expected) {
  if (!message || !expected)
    return false;
  if (strstr(message, expected))
    return true;
  size_t len = strlen(message);
  return len > 0 && strncmp(expected, message, len) == 0;
}

/* ---- printing ---------------------------------------------------------- */

/* Appends to a bounded buffer; `*used` may run past `size` (then the text
 * is cut, still NUL-terminated). */
static void append(char *buf, size_t size, size_t *used, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *used, const char *fmt,
                   ...) {
  if (*used >= size)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *used, size - *used, fmt, ap);
  va_end(ap);
  if (n > 0)
    *used += (size_t)n;
}

static void append_f32(char *buf, size_t size, size_t *used, uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  if (f != f)
    append(buf, size, used, "nan (0x%08" PRIx32 ")", bits);
  else
    append(buf, size, used, "%.9g (0x%08" PRIx32 ")", (double)f, bits);
}

static void append_f64(char *buf, size_t size, size_t *used, uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  if (d != d)
    append(buf, size, used, "nan (0x%016" PRIx64 ")", bits);
  else
    append(buf, size, used, "%.17g (0x%016" PRIx64 ")", d, bits);
}

/* Lanes are printed compactly: the bits only for NaNs. */
static void append_f32_lane(char *buf, size_t size, size_t *used,
                            uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  if (f != f)
    append(buf, size, used, "nan:0x%08" PRIx32, bits);
  else
    append(buf, size, used, "%.9g", (double)f);
}

static void append_f64_lane(char *buf, size_t size, size_t *used,
                            uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  if (d != d)
    append(buf, size, used, "nan:0x%016" PRIx64, bits);
  else
    append(buf, size, used, "%.17g", d);
}

static const char *lane_type_name(wast_lane_type lt) {
  static const char *const names[] = {"?", "i8", "i16", "i32",
                                      "i64", "f32", "f64"};
  return (unsigned)lt < sizeof names / sizeof names[0] ? names[lt] : "?";
}

static const char *nan_pattern_name(wast_nan_pattern p) {
  return p == WAST_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic";
}

static void append_v128(char *buf, size_t size, size_t *used,
                        const uint8_t v[16], wast_lane_type lt,
                        const wast_nan_pattern *patterns) {
  if (lt == WAST_LANE_NONE)
    lt = WAST_LANE_I32;
  unsigned bytes = lane_bits(lt) / 8;
  unsigned n = wast_lane_count(lt);
  append(buf, size, used, "v128:%s[", lane_type_name(lt));
  for (unsigned i = 0; i < n; i++) {
    uint64_t lane = load_lane(v, bytes, i);
    if (i)
      append(buf, size, used, " ");
    if (patterns && is_float_lane(lt) && patterns[i] != WAST_NAN_NONE)
      append(buf, size, used, "%s", nan_pattern_name(patterns[i]));
    else if (lt == WAST_LANE_F32)
      append_f32_lane(buf, size, used, (uint32_t)lane);
    else if (lt == WAST_LANE_F64)
      append_f64_lane(buf, size, used, lane);
    else
      append(buf, size, used, "%" PRIu64, lane);
  }
  append(buf, size, used, "]");
}

static void append_value(char *buf, size_t size, size_t *used,
                         const wrun_val *v, wast_lane_type lt,
                         const wast_nan_pattern *patterns, bool any_ref,
                         bool any_null) {
  if (any_null) {
    append(buf, size, used, "ref.null");
    return;
  }
  switch (v->type) {
  /* Integers as the script writes them (unsigned), plus the signed
   * reading when it differs. */
  case WRUN_I32:
    append(buf, size, used, "i32:%" PRIu32, (uint32_t)v->of.i32);
    if (v->of.i32 < 0)
      append(buf, size, used, " (%" PRId32 ")", v->of.i32);
    return;
  case WRUN_I64:
    append(buf, size, used, "i64:%" PRIu64, (uint64_t)v->of.i64);
    if (v->of.i64 < 0)
      append(buf, size, used, " (%" PRId64 ")", v->of.i64);
    return;
  case WRUN_F32:
    append(buf, size, used, "f32:");
    if (patterns && patterns[0] != WAST_NAN_NONE)
      append(buf, size, used, "%s", nan_pattern_name(patterns[0]));
    else
      append_f32(buf, size, used, v->of.f32_bits);
    return;
  case WRUN_F64:
    append(buf, size, used, "f64:");
    if (patterns && patterns[0] != WAST_NAN_NONE)
      append(buf, size, used, "%s", nan_pattern_name(patterns[0]));
    else
      append_f64(buf, size, used, v->of.f64_bits);
    return;
  case WRUN_V128:
    append_v128(buf, size, used, v->of.v128, lt, patterns);
    return;
  case WRUN_FUNCREF:
    if (any_ref)
      append(buf, size, used, "ref.func");
    else if (!v->of.funcref)
      append(buf, size, used, "ref.null func");
    else
      append(buf, size, used, "ref.func %p", (void *)v->of.funcref);
    return;
  case WRUN_EXTERNREF:
    if (any_ref)
      append(buf, size, used, "ref.extern");
    else if (!v->of.externref)
      append(buf, size, used, "ref.null extern");
    else
      append(buf, size, used, "ref.extern %" PRIuPTR,
             (uintptr_t)v->of.externref - 1);
    return;
  case WRUN_EXNREF:
    if (any_ref || v->of.exnref)
      append(buf, size, used, "ref.exn");
    else
      append(buf, size, used, "ref.null exn");
    return;
  case WRUN_ANYREF: {
    int32_t i31;
    if (any_ref)
      append(buf, size, used, "ref.any");
    else if (!v->of.anyref)
      append(buf, size, used, "ref.null any");
    else if (wrun_anyref_i31(v->of.anyref, &i31))
      append(buf, size, used, "ref.i31 %" PRId32, i31);
    else
      append(buf, size, used, "%s", wast_anyref_kind_name(v->of.anyref));
    return;
  }
  }
  append(buf, size, used, "<unknown type 0x%x>", (unsigned)v->type);
}

void wast_format_value(const wrun_val *v, wast_lane_type lt, char *buf,
                       size_t size) {
  size_t used = 0;
  if (size == 0)
    return;
  buf[0] = '\0';
  append_value(buf, size, &used, v, lt, NULL, false, false);
}

void wast_format_expected(const wast_expected *e, char *buf, size_t size) {
  size_t used = 0;
  if (size == 0)
    return;
  buf[0] = '\0';
  append_value(buf, size, &used, &e->val, e->lane_type, e->nan, e->any_ref,
               e->any_null);
}
