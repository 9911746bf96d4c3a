/* LEB128 decoding shared by the module reader and the body decoder.
 * Each reader checks bounds, rejects encodings longer than the type allows
 * and unused high bits that are not a sign/zero extension, as the spec
 * requires ("integer representation too long", "integer too large"). */
#ifndef RT_LEB128_H
#define RT_LEB128_H

#include <stdbool.h>
#include <stdint.h>

typedef enum rt_leb_status {
  RT_LEB_OK,
  RT_LEB_EOF,      /* ran past the end: "unexpected end" */
  RT_LEB_TOO_LONG, /* more bytes than ceil(N/7): "integer representation too long" */
  RT_LEB_TOO_BIG,  /* unused bits set in the last byte: "integer too large" */
} rt_leb_status;

/* Reads an unsigned LEB128 of at most `bits` bits (32 or 64) from *p (not
 * past end), advancing *p on success. */
static inline rt_leb_status rt_read_uleb(const uint8_t **p, const uint8_t *end,
                                         unsigned bits, uint64_t *out) {
  const uint8_t *q = *p;
  uint64_t result = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  for (unsigned i = 0;; i++) {
    if (q >= end) return RT_LEB_EOF;
    if (i >= max_bytes) return RT_LEB_TOO_LONG;
    uint8_t byte = *q++;
    if (i == max_bytes - 1) {
      /* The last byte may only carry the remaining bits; the spec's
       * decoder checks them before the continuation bit. */
      unsigned used = bits - shift;
      if (used < 7 && ((byte & 0x7f) >> used) != 0) return RT_LEB_TOO_BIG;
      if (byte & 0x80) return RT_LEB_TOO_LONG;
    }
    result |= (uint64_t)(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) break;
  }
  *p = q;
  *out = result;
  return RT_LEB_OK;
}

/* Signed variant (bits 32 or 64; 33 for block type indices). */
static inline rt_leb_status rt_read_sleb(const uint8_t **p, const uint8_t *end,
                                         unsigned bits, int64_t *out) {
  const uint8_t *q = *p;
  uint64_t result = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  uint8_t byte;
  for (unsigned i = 0;; i++) {
    if (q >= end) return RT_LEB_EOF;
    if (i >= max_bytes) return RT_LEB_TOO_LONG;
    byte = *q++;
    if (i == max_bytes - 1) {
      /* Bits above the value's width must all equal its sign bit (checked
       * first, as the spec's decoder does, then the continuation bit). */
      unsigned used = bits - shift; /* 1..7 value bits in this byte */
      if (used < 7) {
        uint8_t sign_and_above = (uint8_t)(byte & 0x7f) >> (used - 1);
        uint8_t all_ones = (uint8_t)(0x7f >> (used - 1));
        if (sign_and_above != 0 && sign_and_above != all_ones)
          return RT_LEB_TOO_BIG;
      }
      if (byte & 0x80) return RT_LEB_TOO_LONG;
    }
    result |= (uint64_t)(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) break;
  }
  if (shift < 64 && (byte & 0x40)) result |= ~(uint64_t)0 << shift;
  *p = q;
  *out = (int64_t)result;
  return RT_LEB_OK;
}

/* What a LEB128 at p that ran out at its region's end (RT_LEB_EOF) is to
 * the spec's decoder, which reads a module as one stream: the bytes after
 * the section or body, up to `limit` (the module's end), make it too long
 * or too large, or it is truncated after all (RT_LEB_EOF; also when it
 * would end in them: what then goes wrong is another matter). */
static inline rt_leb_status rt_leb_past_end(const uint8_t *p,
                                            const uint8_t *limit,
                                            unsigned bits, bool is_signed) {
  uint64_t u;
  int64_t v;
  rt_leb_status s = is_signed ? rt_read_sleb(&p, limit, bits, &v)
                              : rt_read_uleb(&p, limit, bits, &u);
  return s == RT_LEB_OK ? RT_LEB_EOF : s;
}

static inline const char *rt_leb_message(rt_leb_status s) {
  switch (s) {
  case RT_LEB_EOF: return "unexpected end";
  case RT_LEB_TOO_LONG: return "integer representation too long";
  case RT_LEB_TOO_BIG: return "integer too large";
  default: return "ok";
  }
}

#endif
