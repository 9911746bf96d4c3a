/* Loading relocatable code saved by another process (serialized modules,
 * runtime/serialize.c) and what the code was compiled for: the ISA and
 * the CPU features the backend chose instructions by. */
#include "jit.h"

#include <stdlib.h>

#include "../runtime/gc.h"
#include "error.h"

#if defined(__x86_64__)
#include "x64/asm.h"
#endif

const char *jit_isa_name(void) {
#if defined(__x86_64__)
  return "x86_64";
#else
  return "aarch64";
#endif
}

uint32_t jit_cpu_features(void) {
  uint32_t f = 0;
#if defined(__x86_64__)
  x64_features x = x64_cpu_features();
  unsigned v = x64_cpu_vector_features();
  if (x.popcnt) f |= JIT_CPU_X64_POPCNT;
  if (x.lzcnt) f |= JIT_CPU_X64_LZCNT;
  if (x.tzcnt) f |= JIT_CPU_X64_TZCNT;
  if (v & 1) f |= JIT_CPU_X64_SSSE3;
  if (v & 2) f |= JIT_CPU_X64_SSE41;
  if (v & 4) f |= JIT_CPU_X64_SSE42;
  if (v & X64_VEC_FMA) f |= JIT_CPU_X64_FMA;
#else
  if (a64_masm_has_lse()) f |= JIT_CPU_A64_LSE;
#endif
  return f;
}

const char *jit_cpu_feature_name(uint32_t bit) {
  switch (bit) {
  case JIT_CPU_X64_POPCNT: return "popcnt";
  case JIT_CPU_X64_LZCNT: return "lzcnt";
  case JIT_CPU_X64_TZCNT: return "bmi1 (tzcnt)";
  case JIT_CPU_X64_SSSE3: return "ssse3";
  case JIT_CPU_X64_SSE41: return "sse4.1";
  case JIT_CPU_X64_SSE42: return "sse4.2";
  case JIT_CPU_X64_FMA: return "fma";
  case JIT_CPU_A64_LSE: return "lse (ARMv8.1 atomics)";
  }
  return NULL;
}

typedef struct patch_job {
  const jit_code *c;
  const uint64_t *values;
} patch_job;

static void patch_all(uint8_t *mem, void *arg) {
  const patch_job *job = arg;
  for (uint32_t i = 0; i < job->c->nsyms; i++)
    masm_patch_sym(mem, job->c->syms[i].at, job->c->syms[i].kind,
                   job->values[i]);
}

/* The value sym s stands for in this process, or an error. */
static wrun_error *sym_value(const jit_symreloc *s, const rt_module *m,
                             uint64_t *out) {
  switch (s->kind) {
  case JIT_SYM_LIBCALL: {
    const void *fn = jit_libcall_at(s->index);
    if (!fn) break;
    *out = (uintptr_t)fn;
    return NULL;
  }
  case JIT_SYM_TYPE_ID:
    if (s->index >= m->ntypes) break;
    *out = m->types[s->index].id;
    return NULL;
  case JIT_SYM_RTT: {
    if (s->index >= m->ntypes) break;
    const rt_gc_rtt *rtt = rt_gc_rtt_of(m->types[s->index].id);
    if (!rtt) break;
    *out = (uintptr_t)rtt;
    return NULL;
  }
  }
  return rt_error_new(RT_NO_OFFSET, "serialized code: relocation at code "
                      "offset %u names no %s", s->at,
                      s->kind == JIT_SYM_LIBCALL ? "known C function"
                                                 : "type of the module");
}

wrun_error *jit_code_load(jit_code *c, const uint8_t *bytes, size_t size,
                          const rt_module *m) {
  uint64_t *values = malloc((c->nsyms ? c->nsyms : 1) * sizeof *values);
  if (!values) return rt_error_new(RT_NO_OFFSET, "out of memory");
  for (uint32_t i = 0; i < c->nsyms; i++) {
    const jit_symreloc *s = &c->syms[i];
    uint32_t n = masm_sym_bytes(s->kind);
    if (n == 0 || s->at > size || size - s->at < n) {
      free(values);
      return rt_error_new(RT_NO_OFFSET, "serialized code: relocation %u "
                          "(kind %u at %u) outside the code", i, s->kind,
                          s->at);
    }
    wrun_error *err = sym_value(s, m, &values[i]);
    if (err) {
      free(values);
      return err;
    }
  }
  patch_job job = {c, values};
  wrun_error *err = jit_map_code(bytes, size, patch_all, &job, c);
  free(values);
  return err;
}
