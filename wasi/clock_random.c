/* Clocks (uv_hrtime for the monotonic clock, clock_gettime for the others)
 * and random_get (uv_random). */
#include <time.h>

#include "wasi_internal.h"

enum { CLOCK_ID_REALTIME, CLOCK_ID_MONOTONIC, CLOCK_ID_PROCESS_CPU,
       CLOCK_ID_THREAD_CPU };

static bool host_clock_of(uint32_t id, clockid_t *out) {
  switch (id) {
  case CLOCK_ID_REALTIME: *out = CLOCK_REALTIME; return true;
  case CLOCK_ID_MONOTONIC: *out = CLOCK_MONOTONIC; return true;
  case CLOCK_ID_PROCESS_CPU: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
  case CLOCK_ID_THREAD_CPU: *out = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

uint16_t wasi_clock_now(uint32_t id, uint64_t *ns) {
  if (id == CLOCK_ID_MONOTONIC) {
    *ns = uv_hrtime();
    return WASI_ESUCCESS;
  }
  clockid_t host;
  struct timespec ts;
  if (!host_clock_of(id, &host)) return WASI_EINVAL;
  if (clock_gettime(host, &ts) != 0) return WASI_EINVAL;
  *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return WASI_ESUCCESS;
}

uint16_t wasi_clock_res_get(wasi_call *c) {
  clockid_t host;
  struct timespec ts;
  if (!host_clock_of(wasi_arg32(c, 0), &host)) return WASI_EINVAL;
  if (clock_getres(host, &ts) != 0) return WASI_EINVAL;
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  WASI_PUT_CHECKED(&c->mem, wasi_arg32(c, 1), 8, 64, ns ? ns : 1);
  return WASI_ESUCCESS;
}

uint16_t wasi_clock_time_get(wasi_call *c) {
  uint32_t out = wasi_arg32(c, 2);
  if (!wasi_mem_ok(&c->mem, out, 8)) return WASI_EFAULT;
  uint64_t ns;
  uint16_t err = wasi_clock_now(wasi_arg32(c, 0), &ns);
  if (err) return err;
  wasi_put_u64(&c->mem, out, ns);
  return WASI_ESUCCESS;
}

uint16_t wasi_random_get(wasi_call *c) {
  uint32_t buf = wasi_arg32(c, 0), len = wasi_arg32(c, 1);
  if (!wasi_mem_ok(&c->mem, buf, len)) return WASI_EFAULT;
  /* uv_random refuses very large requests: fill in chunks. */
  for (uint32_t done = 0; done < len;) {
    uint32_t n = len - done > 65536 ? 65536 : len - done;
    int r = uv_random(NULL, NULL, c->mem.base + buf + done, n, 0, NULL);
    if (r < 0) return wasi_errno_from_uv(r);
    done += n;
  }
  return WASI_ESUCCESS;
}
