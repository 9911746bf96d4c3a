/* Number literals of the text format, for the native script parser:
 * integers (sign, decimal or 0x hex, `_` between digits) and floats
 * (decimal, hex `0x1.8p3`, `inf`, `nan`, `nan:0x...` payloads).
 *
 * Texts are byte ranges (not NUL-terminated). Every function checks the
 * literal's whole syntax first and returns false for anything the text
 * format does not allow, including a float that rounds to infinity. */
#ifndef WRUN_CLI_WAST_NUM_H
#define WRUN_CLI_WAST_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An iN literal (bits 8, 16, 32 or 64): -2^(N-1) <= value < 2^N, negative
 * values as two's complement. */
bool wast_parse_int(const char *text, size_t len, unsigned bits,
                    uint64_t *out);

/* f32/f64 literals as IEEE bits, rounded to nearest-even (decimal and hex
 * alike; glibc's strtof/strtod round correctly). `nan` is the canonical
 * NaN, `nan:0xN` has payload N (1 <= N < 2^23 or 2^52). */
bool wast_parse_f32(const char *text, size_t len, uint32_t *out);
bool wast_parse_f64(const char *text, size_t len, uint64_t *out);

#endif
