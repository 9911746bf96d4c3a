/* args_* and environ_*: copy string vectors into guest memory. */
#include <string.h>

#include "wasi_internal.h"

static uint64_t total_bytes(char **v, size_t n) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) total += strlen(v[i]) + 1;
  return total;
}

/* Writes n pointers at ptrs and the NUL-terminated strings at buf. */
static uint16_t put_vector(wasi_mem *m, char **v, size_t n, uint32_t ptrs,
                           uint32_t buf) {
  if (!wasi_mem_ok(m, ptrs, (uint64_t)n * 4) ||
      !wasi_mem_ok(m, buf, total_bytes(v, n)))
    return WASI_EFAULT;
  uint32_t at = buf;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(v[i]) + 1;
    wasi_put_u32(m, ptrs + 4 * (uint32_t)i, at);
    memcpy(m->base + at, v[i], len);
    at += (uint32_t)len;
  }
  return WASI_ESUCCESS;
}

static uint16_t put_sizes(wasi_mem *m, char **v, size_t n, uint32_t count_ptr,
                          uint32_t size_ptr) {
  if (!wasi_mem_ok(m, count_ptr, 4) || !wasi_mem_ok(m, size_ptr, 4))
    return WASI_EFAULT;
  uint64_t total = total_bytes(v, n);
  if (total > UINT32_MAX) return WASI_EOVERFLOW;
  wasi_put_u32(m, count_ptr, (uint32_t)n);
  wasi_put_u32(m, size_ptr, (uint32_t)total);
  return WASI_ESUCCESS;
}

uint16_t wasi_args_get(wasi_call *c) {
  return put_vector(&c->mem, c->w->argv, c->w->argc, wasi_arg32(c, 0),
                    wasi_arg32(c, 1));
}

uint16_t wasi_args_sizes_get(wasi_call *c) {
  return put_sizes(&c->mem, c->w->argv, c->w->argc, wasi_arg32(c, 0),
                   wasi_arg32(c, 1));
}

uint16_t wasi_environ_get(wasi_call *c) {
  return put_vector(&c->mem, c->w->env, c->w->envc, wasi_arg32(c, 0),
                    wasi_arg32(c, 1));
}

uint16_t wasi_environ_sizes_get(wasi_call *c) {
  return put_sizes(&c->mem, c->w->env, c->w->envc, wasi_arg32(c, 0),
                   wasi_arg32(c, 1));
}
