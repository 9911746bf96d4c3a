/* badptr: hostile pointers and lengths. argv[1] picks one case; each passes
 * the runtime a guest address range that is not inside linear memory. The
 * call must fail with EFAULT (or the runtime may trap: the harness accepts
 * exit 134, wrun's trap status) and must not touch anything. Cases:
 *   iovs       the iovec array itself lies past the end of memory
 *   iov_buf    an iovec whose buffer runs past the end of memory
 *   wrap       an iovec whose pointer + length wraps around 2^32
 *   path       a path string running past the end of memory
 *   result     a result pointer running past the end of memory
 *   random     random_get into a range past the end of memory
 *   readdir    fd_readdir into a range past the end of memory
 *   poll       poll_oneoff with subscriptions past the end of memory
 *   args       args_get with argv pointers past the end of memory */
#include <stdint.h>

#include "check.h"

static uintptr_t memory_end(void) {
  return (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
}

/* Exits 0 if E is EFAULT, with a note of what was refused. */
static void expect_fault(const char *what, __wasi_errno_t e) {
  CHECK(e == __WASI_ERRNO_FAULT, "%s: got errno %u (%s), want EFAULT", what,
        e, strerror(e));
  fprintf(stderr, "%s: EFAULT\n", what);
  puts("refused");
  exit(0);
}

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: badptr.wasm CASE");
  const char *c = argv[1];
  uintptr_t end = memory_end();
  __wasi_size_t n = 0;
  __wasi_fd_t root = sandbox_fd();
  if (!strcmp(c, "iovs")) {
    expect_fault(c, __wasi_fd_write(1, (const __wasi_ciovec_t *)(end - 4), 1,
                                    &n));
  } else if (!strcmp(c, "iov_buf")) {
    __wasi_ciovec_t iov = {(const uint8_t *)(end - 16), 64};
    expect_fault(c, __wasi_fd_write(1, &iov, 1, &n));
  } else if (!strcmp(c, "wrap")) {
    __wasi_ciovec_t iov = {(const uint8_t *)(uintptr_t)0xFFFFFF00u, 0x200};
    expect_fault(c, __wasi_fd_write(1, &iov, 1, &n));
  } else if (!strcmp(c, "path")) {
    /* The libc wrapper would measure the string with strlen (and fault in
     * the guest), so call the import directly with an explicit length that
     * runs past the end of memory. */
    extern int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t,
                                 int64_t, int64_t, int32_t, int32_t)
        __attribute__((import_module("wasi_snapshot_preview1"),
                       import_name("path_open")));
    __wasi_fd_t fd;
    expect_fault(c, (__wasi_errno_t)raw_path_open(
                        (int32_t)root, 0, (int32_t)(end - 8), 64, 0, 0, 0, 0,
                        (int32_t)(uintptr_t)&fd));
  } else if (!strcmp(c, "result")) {
    /* A call that cannot fail for any other reason (rights, fd kind). */
    expect_fault(c, __wasi_args_sizes_get((__wasi_size_t *)(end - 2), &n));
  } else if (!strcmp(c, "random")) {
    expect_fault(c, __wasi_random_get((uint8_t *)(end - 8), 64));
  } else if (!strcmp(c, "readdir")) {
    expect_fault(c, __wasi_fd_readdir(root, (uint8_t *)(end - 8), 4096, 0,
                                      &n));
  } else if (!strcmp(c, "poll")) {
    __wasi_event_t ev[2];
    expect_fault(c, __wasi_poll_oneoff((const __wasi_subscription_t *)(end - 8),
                                       ev, 2, &n));
  } else if (!strcmp(c, "args")) {
    static char buf[1024];
    expect_fault(c, __wasi_args_get((uint8_t **)(end - 4), (uint8_t *)buf));
  }
  CHECK(0, "unknown case '%s'", c);
  return 1;
}
