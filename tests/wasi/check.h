/* Shared helpers for the WASI test programs (built for wasm32-wasi).
 *
 * Every program checks its own results: a failed CHECK prints the file, line,
 * the condition and a message on stderr and exits 1, so the harness only has
 * to look at the exit status (and at stdout for the programs that have an
 * expected-output file).
 *
 * The harness preopens the test's sandbox directory as "/" (and nothing
 * else), so wasi-libc resolves relative and absolute guest paths against it.
 * The raw __wasi_* calls need the preopen's descriptor: sandbox_fd().
 */
#ifndef WRUN_TESTS_WASI_CHECK_H
#define WRUN_TESTS_WASI_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* A libc call that must succeed (returns >= 0); reports errno otherwise. */
#define CHECK_OK(expr)                                                         \
  do {                                                                         \
    errno = 0;                                                                 \
    long long check_ok_result_ = (long long)(expr);                            \
    CHECK(check_ok_result_ >= 0, "failed: %s (errno %d)", strerror(errno),     \
          errno);                                                              \
  } while (0)

/* A raw WASI call that must return the given errno (0 for success). */
#define CHECK_WASI(expr, expected)                                             \
  do {                                                                         \
    __wasi_errno_t check_wasi_got_ = (expr);                                   \
    CHECK(check_wasi_got_ == (expected), "got errno %u (%s), want %u (%s)",   \
          (unsigned)check_wasi_got_, strerror(check_wasi_got_),               \
          (unsigned)(expected), strerror(expected));                           \
  } while (0)

/* The descriptor of the preopen named "/" (the test's sandbox). */
static inline __wasi_fd_t sandbox_fd(void) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0)
      continue;
    if (ps.tag != __WASI_PREOPENTYPE_DIR || ps.u.dir.pr_name_len > 255)
      continue;
    char name[256];
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name,
                                   ps.u.dir.pr_name_len) != 0)
      continue;
    name[ps.u.dir.pr_name_len] = '\0';
    if (strcmp(name, "/") == 0)
      return fd;
  }
  CHECK(0, "no preopened directory named \"/\"");
  return 0;
}

/* Opens PATH under DIR with every right DIR can hand on (asking for more
 * than that is ENOTCAPABLE under some runtimes). */
static inline __wasi_errno_t open_at(__wasi_fd_t dir, const char *path,
                                     __wasi_oflags_t oflags,
                                     __wasi_fdflags_t fdflags,
                                     __wasi_fd_t *out) {
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get(dir, &st);
  if (e != 0)
    return e;
  __wasi_rights_t base = st.fs_rights_inheriting;
  /* A directory is not opened with the rights that imply writing bytes
   * (node's uvwasi would open it O_RDWR and fail with EISDIR). */
  if (oflags & __WASI_OFLAGS_DIRECTORY)
    base &= ~(__wasi_rights_t)(
        __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC |
        __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
  return __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags,
                          base, st.fs_rights_inheriting, fdflags, out);
}

/* Writes DATA to a new (or truncated) file. */
static inline void write_file(const char *path, const char *data) {
  FILE *f = fopen(path, "w");
  CHECK(f != NULL, "fopen(%s, w): %s", path, strerror(errno));
  size_t len = strlen(data);
  CHECK(fwrite(data, 1, len, f) == len, "short write to %s", path);
  CHECK(fclose(f) == 0, "fclose(%s): %s", path, strerror(errno));
}

/* Reads the whole of PATH (up to CAP-1 bytes) into BUF as a string. */
static inline size_t read_file(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "fopen(%s, r): %s", path, strerror(errno));
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
  return n;
}

#endif
