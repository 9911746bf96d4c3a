/* Values of spec-test scripts: parsing the textual values that wast2json
 * writes (decimal bit patterns, NaN patterns, v128 lanes, references),
 * matching a result against an expectation, and printing both.
 *
 * Pure helpers over the public value type: nothing here calls the library,
 * so the unit tests can exercise them without a working engine. */
#ifndef WRUN_CLI_WAST_VALUES_H
#define WRUN_CLI_WAST_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "wrun.h"

/* The lane interpretation of a v128 value (wast2json's "lane_type"). */
typedef enum wast_lane_type {
  WAST_LANE_NONE = 0, /* not a v128 */
  WAST_LANE_I8,
  WAST_LANE_I16,
  WAST_LANE_I32,
  WAST_LANE_I64,
  WAST_LANE_F32,
  WAST_LANE_F64,
} wast_lane_type;

/* What a float (or float lane) must look like when it is not exact bits. */
typedef enum wast_nan_pattern {
  WAST_NAN_NONE = 0,   /* compare bits exactly */
  WAST_NAN_CANONICAL,  /* nan:canonical: quiet NaN, payload exactly the MSB */
  WAST_NAN_ARITHMETIC, /* nan:arithmetic: any quiet NaN */
} wast_nan_pattern;

/* One expected result of an assert_return. */
typedef struct wast_expected {
  wrun_val val;              /* exact value, where no pattern applies */
  wast_lane_type lane_type;  /* v128: how to read and print the lanes */
  wast_nan_pattern nan[4];   /* scalar float: nan[0]; v128 float lanes */
  bool any_ref;              /* ref.func / ref.extern without index: any non-null */
  bool want_i31;             /* ref.i31: an i31 (of type anyref) */
  /* ref.struct, ref.array: an anyref of that kind; ref.host N: a host
   * value (val.of.anyref is then the host pointer, as ref.extern's) */
  bool want_kind;
  wrun_anyref_kind kind;
  bool any_null;             /* ref.null without a type: a null of any type */
} wast_expected;

/* An argument `ref.host N` until the invoke makes it an anyref in its
 * store (of.externref holds the host pointer): a type no wrun.h value
 * has, so it never reaches the API as it is. */
#define WAST_HOST_ANYREF ((wrun_valtype)0x100)

/* Externref N of a script is the host pointer N+1, so that ref.extern 0
 * differs from ref.null extern. */
void *wast_externref_from_index(uint64_t n);

/* "ref.struct", "ref.array", "ref.host", ... for an anyref. */
const char *wast_anyref_kind_name(const void *anyref);

bool wast_parse_valtype(const char *name, wrun_valtype *out);
bool wast_parse_lane_type(const char *name, wast_lane_type *out);
unsigned wast_lane_count(wast_lane_type lt);

/* Decimal text -> unsigned number that must fit in `bits` bits. A leading
 * '-' is accepted too (two's complement), for hand-written inputs. */
bool wast_parse_bits(const char *text, unsigned bits, uint64_t *out);

/* A scalar argument or result: i32/i64/f32/f64 as decimal bits, externref
 * as "null" or an index, funcref as "null". */
bool wast_parse_scalar(wrun_valtype type, const char *text, wrun_val *out);

/* A v128 from its lanes (texts), e.g. 4 lanes for f32. */
bool wast_parse_v128(wast_lane_type lt, const char *const *lanes,
                     size_t nlanes, wrun_val *out);

/* Expectations: like the parsers above, but NaN patterns are allowed for
 * float scalars and float lanes, and text may be NULL for references
 * ("any non-null reference"). */
bool wast_parse_expected_scalar(wrun_valtype type, const char *text,
                                wast_expected *out);
bool wast_parse_expected_v128(wast_lane_type lt, const char *const *lanes,
                              size_t nlanes, wast_expected *out);

bool wast_f32_matches_nan(uint32_t bits, wast_nan_pattern p);
bool wast_f64_matches_nan(uint64_t bits, wast_nan_pattern p);
bool wast_value_matches(const wast_expected *e, const wrun_val *got);

/* A trap message satisfies the script's text if it contains it. The test
 * suite also writes a few texts with extra detail ("uninitialized element
 * 2"), so a text that begins with the whole message is accepted too. */
bool wast_trap_text_matches(const char *message, const char *expected);

/* Human-readable forms, e.g. "i32:42", "f32:1.5 (0x3fc00000)",
 * "v128:f32[nan:canonical 1 2 3]". Always NUL-terminated. */
void wast_format_value(const wrun_val *v, wast_lane_type lt, char *buf,
                       size_t size);
void wast_format_expected(const wast_expected *e, char *buf, size_t size);
const char *wast_valtype_name(wrun_valtype t);

#endif
