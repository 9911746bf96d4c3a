/* Number literals. See wast_num.h. */
#include "wast_num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c, bool hex) {
  if (c >= '0' && c <= '9')
    return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

static unsigned digit_value(char c) {
  if (c >= '0' && c <= '9')
    return (unsigned)(c - '0');
  if (c >= 'a' && c <= 'f')
    return (unsigned)(c - 'a' + 10);
  return (unsigned)(c - 'A' + 10);
}

/* Length of a digit run starting at p (at most end): one digit, then
 * digits with single `_` between them. 0 when p holds no digit. */
static size_t digits_len(const char *p, const char *end, bool hex) {
  const char *q = p;
  if (q >= end || !is_digit(*q, hex))
    return 0;
  q++;
  while (q < end) {
    if (is_digit(*q, hex))
      q++;
    else if (*q == '_' && q + 1 < end && is_digit(q[1], hex))
      q += 2;
    else
      break;
  }
  return (size_t)(q - p);
}

/* A natural number filling the whole range: decimal or 0x hex. False on
 * overflow of 64 bits or bad syntax. */
static bool parse_nat(const char *p, const char *end, uint64_t *out) {
  bool hex = end - p > 2 && p[0] == '0' && p[1] == 'x';
  if (hex)
    p += 2;
  if (p >= end || digits_len(p, end, hex) != (size_t)(end - p))
    return false;
  uint64_t base = hex ? 16 : 10, v = 0;
  for (; p < end; p++) {
    if (*p == '_')
      continue;
    uint64_t d = digit_value(*p);
    if (v > (UINT64_MAX - d) / base)
      return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

bool wast_parse_int(const char *text, size_t len, unsigned bits,
                    uint64_t *out) {
  if (!text || bits < 8 || bits > 64)
    return false;
  const char *p = text, *end = text + len;
  bool negative = false;
  if (p < end && (*p == '+' || *p == '-')) {
    negative = *p == '-';
    p++;
  }
  uint64_t v;
  if (!parse_nat(p, end, &v))
    return false;
  uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
  if (negative) {
    /* down to -2^(N-1) */
    if (v > (UINT64_C(1) << (bits - 1)))
      return false;
    v = (0 - v) & mask;
  } else if (v > mask) {
    return false;
  }
  *out = v;
  return true;
}

/* The shape of a float literal after its sign. */
typedef enum float_form { FORM_BAD, FORM_NUMBER, FORM_INF, FORM_NAN,
                          FORM_NAN_PAYLOAD } float_form;

/* Checks a decimal or hex float (no sign) against the grammar:
 *   num ('.' num?)? ([eE] sign? num)?
 *   0x hexnum ('.' hexnum?)? ([pP] sign? num)?   */
static bool is_float_number(const char *p, const char *end) {
  bool hex = end - p > 2 && p[0] == '0' && p[1] == 'x';
  if (hex)
    p += 2;
  size_t n = digits_len(p, end, hex);
  if (n == 0)
    return false;
  p += n;
  if (p < end && *p == '.') {
    p++;
    p += digits_len(p, end, hex);
  }
  if (p < end && (hex ? (*p == 'p' || *p == 'P') : (*p == 'e' || *p == 'E'))) {
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    n = digits_len(p, end, false);
    if (n == 0)
      return false;
    p += n;
  }
  return p == end;
}

static float_form classify(const char *p, const char *end, uint64_t *payload) {
  size_t len = (size_t)(end - p);
  if (len == 3 && memcmp(p, "inf", 3) == 0)
    return FORM_INF;
  if (len == 3 && memcmp(p, "nan", 3) == 0)
    return FORM_NAN;
  if (len > 6 && memcmp(p, "nan:0x", 6) == 0) {
    /* the payload is a hex nat (parse_nat wants the 0x) */
    if (!parse_nat(p + 4, end, payload))
      return FORM_BAD;
    return FORM_NAN_PAYLOAD;
  }
  return is_float_number(p, end) ? FORM_NUMBER : FORM_BAD;
}

/* The literal without its `_`s, NUL-terminated for strtof/strtod; the
 * sign kept. NULL when out of memory. */
static char *strip_underscores(const char *text, size_t len) {
  char *copy = malloc(len + 1);
  if (!copy)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] != '_')
      copy[n++] = text[i];
  copy[n] = '\0';
  return copy;
}

/* Common part of f32 and f64: sign, form, and for FORM_NUMBER the text to
 * hand to strtof/strtod. */
static float_form split_float(const char *text, size_t len, bool *negative,
                              uint64_t *payload) {
  if (!text)
    return FORM_BAD;
  const char *p = text, *end = text + len;
  *negative = false;
  if (p < end && (*p == '+' || *p == '-')) {
    *negative = *p == '-';
    p++;
  }
  return classify(p, end, payload);
}

bool wast_parse_f32(const char *text, size_t len, uint32_t *out) {
  bool negative;
  uint64_t payload = 0;
  uint32_t sign;
  switch (split_float(text, len, &negative, &payload)) {
  case FORM_BAD:
    return false;
  case FORM_INF:
    sign = negative ? 0x80000000u : 0;
    *out = sign | 0x7f800000u;
    return true;
  case FORM_NAN:
    payload = 0x400000u;
    /* fall through */
  case FORM_NAN_PAYLOAD:
    if (payload == 0 || payload >= (UINT64_C(1) << 23))
      return false;
    sign = negative ? 0x80000000u : 0;
    *out = sign | 0x7f800000u | (uint32_t)payload;
    return true;
  case FORM_NUMBER:
    break;
  }
  char *copy = strip_underscores(text, len);
  if (!copy)
    return false;
  errno = 0;
  float f = strtof(copy, NULL);
  free(copy);
  /* Rounding to infinity makes the literal malformed; an underflow
   * (ERANGE with a subnormal or zero result) is just the rounded value. */
  if (isinf(f))
    return false;
  memcpy(out, &f, sizeof f);
  return true;
}

bool wast_parse_f64(const char *text, size_t len, uint64_t *out) {
  bool negative;
  uint64_t payload = 0;
  uint64_t sign;
  switch (split_float(text, len, &negative, &payload)) {
  case FORM_BAD:
    return false;
  case FORM_INF:
    sign = negative ? UINT64_C(1) << 63 : 0;
    *out = sign | UINT64_C(0x7ff0000000000000);
    return true;
  case FORM_NAN:
    payload = UINT64_C(1) << 51;
    /* fall through */
  case FORM_NAN_PAYLOAD:
    if (payload == 0 || payload >= (UINT64_C(1) << 52))
      return false;
    sign = negative ? UINT64_C(1) << 63 : 0;
    *out = sign | UINT64_C(0x7ff0000000000000) | payload;
    return true;
  case FORM_NUMBER:
    break;
  }
  char *copy = strip_underscores(text, len);
  if (!copy)
    return false;
  errno = 0;
  double d = strtod(copy, NULL);
  free(copy);
  if (isinf(d))
    return false;
  memcpy(out, &d, sizeof d);
  return true;
}
