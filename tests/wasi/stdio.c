/* stdio: fd_write to stdout/stderr (several iovecs at once, empty ones),
 * fd_read from stdin until EOF, and the fdstat of the three standard fds.
 * The harness feeds stdio.stdin and compares stdout with stdio.stdout. */
#include <ctype.h>
#include <unistd.h>

#include "check.h"

static void gather_write(void) {
  const char *parts[] = {"gather", "", "ed ", "write\n"};
  __wasi_ciovec_t iovs[4];
  size_t total = 0;
  for (int i = 0; i < 4; i++) {
    iovs[i].buf = (const uint8_t *)parts[i];
    iovs[i].buf_len = strlen(parts[i]);
    total += iovs[i].buf_len;
  }
  __wasi_size_t written = 0;
  CHECK_WASI(__wasi_fd_write(1, iovs, 4, &written), 0);
  CHECK(written == total, "wrote %lu of %zu bytes", written, total);
  CHECK_WASI(__wasi_fd_write(1, iovs, 0, &written), 0);
  CHECK(written == 0, "empty write reported %lu bytes", written);
}

/* Reads stdin through raw fd_read in small chunks, scattered over two
 * buffers, and prints it back upper-cased. */
static void echo_stdin(void) {
  char all[4096];
  size_t len = 0;
  for (;;) {
    char a[3], b[5];
    __wasi_iovec_t iovs[2] = {{(uint8_t *)a, sizeof a}, {(uint8_t *)b, sizeof b}};
    __wasi_size_t got = 0;
    CHECK_WASI(__wasi_fd_read(0, iovs, 2, &got), 0);
    if (got == 0)
      break;
    CHECK(got <= sizeof a + sizeof b, "read %lu bytes into 8", got);
    CHECK(len + got < sizeof all, "stdin too long");
    size_t from_a = got < sizeof a ? got : sizeof a;
    memcpy(all + len, a, from_a);
    memcpy(all + len + from_a, b, got - from_a);
    len += got;
  }
  int lines = 0;
  for (size_t i = 0; i < len; i++) {
    lines += all[i] == '\n';
    all[i] = (char)toupper((unsigned char)all[i]);
  }
  printf("stdin had %zu bytes, %d lines:\n", len, lines);
  fwrite(all, 1, len, stdout);
}

static void std_fdstats(void) {
  for (__wasi_fd_t fd = 0; fd < 3; fd++) {
    __wasi_fdstat_t st;
    CHECK_WASI(__wasi_fd_fdstat_get(fd, &st), 0);
    CHECK(st.fs_filetype != __WASI_FILETYPE_DIRECTORY,
          "fd %u is a directory", fd);
    __wasi_rights_t want =
        fd == 0 ? __WASI_RIGHTS_FD_READ : __WASI_RIGHTS_FD_WRITE;
    CHECK((st.fs_rights_base & want) != 0, "fd %u lacks its rights (%llx)",
          fd, (unsigned long long)st.fs_rights_base);
  }
  /* Not a preopen: fd_prestat_get on stdio fails (Wasmtime says EBADF,
   * node's uvwasi EINVAL; the spec does not choose). */
  __wasi_prestat_t ps;
  __wasi_errno_t e = __wasi_fd_prestat_get(1, &ps);
  CHECK(e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_INVAL,
        "fd_prestat_get(1) gave errno %u", e);
}

int main(void) {
  printf("hello from wasi\n");
  printf("%d + %d = %d, %.3f\n", 2, 3, 2 + 3, 1.5);
  fflush(stdout);
  gather_write();
  fprintf(stderr, "this line goes to stderr\n");
  std_fdstats();
  echo_stdin();
  /* Writes to a closed or bad fd fail cleanly. */
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  CHECK_WASI(__wasi_fd_write(1234, &iov, 1, &n), __WASI_ERRNO_BADF);
  printf("\ndone\n");
  return 0;
}
