/* Shared by every kernel: fixed-width types and a deterministic
 * pseudo-random generator. Kernels are freestanding C (no libc): the
 * wasm32 build links nothing, so memory is static arrays in linear
 * memory and copies go through __builtin_memcpy. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

/* A 32-bit LCG (Numerical Recipes constants): same sequence everywhere. */
static inline uint32_t bench_lcg(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

#endif
