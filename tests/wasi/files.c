/* files: create/read/write, seek and tell, pread/pwrite, truncate, stat,
 * set-times, O_APPEND, O_EXCL, O_TRUNC, O_DIRECTORY, and the errors of the
 * common mistakes. Works in the sandbox, on files it makes itself. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static __wasi_filesize_t tell(int fd) {
  __wasi_filesize_t pos;
  CHECK_WASI(__wasi_fd_tell((__wasi_fd_t)fd, &pos), 0);
  return pos;
}

static void expect_read(int fd, const char *want) {
  char buf[256];
  size_t len = strlen(want);
  ssize_t n = read(fd, buf, len);
  CHECK(n == (ssize_t)len, "read %zd bytes, want %zu (errno %d)", n, len,
        errno);
  CHECK(memcmp(buf, want, len) == 0, "read '%.*s', want '%s'", (int)n, buf,
        want);
}

static off_t file_size(const char *path) {
  struct stat st;
  CHECK_OK(stat(path, &st));
  return st.st_size;
}

static void read_write_seek(void) {
  int fd = open("rw.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK_OK(fd);
  CHECK(write(fd, "hello world", 11) == 11, "write");
  CHECK(tell(fd) == 11, "tell after write is %llu",
        (unsigned long long)tell(fd));
  CHECK(lseek(fd, 6, SEEK_SET) == 6, "lseek SET");
  expect_read(fd, "world");
  CHECK(read(fd, (char[4]){0}, 4) == 0, "read at EOF is not 0");
  CHECK(lseek(fd, -5, SEEK_END) == 6, "lseek END");
  CHECK(lseek(fd, -2, SEEK_CUR) == 4, "lseek CUR");
  expect_read(fd, "o w");
  CHECK(tell(fd) == 7, "tell after read");
  /* Before the start is an error, and the position stays where it was. */
  errno = 0;
  CHECK(lseek(fd, -100, SEEK_CUR) == -1 && errno == EINVAL,
        "lseek before start: errno %d", errno);
  CHECK(tell(fd) == 7, "position moved by a failed seek");
  /* Seeking past the end and writing leaves a hole of zeros. */
  CHECK(lseek(fd, 15, SEEK_SET) == 15, "lseek past end");
  CHECK(write(fd, "!", 1) == 1, "write past end");
  CHECK(file_size("rw.txt") == 16, "size after hole %lld",
        (long long)file_size("rw.txt"));
  char buf[16];
  CHECK(pread(fd, buf, 16, 0) == 16, "pread whole file");
  CHECK(memcmp(buf, "hello world\0\0\0\0!", 16) == 0, "hole not zeros");
  CHECK_OK(close(fd));
  errno = 0;
  CHECK(close(fd) == -1 && errno == EBADF, "double close: errno %d", errno);
}

static void pread_pwrite(void) {
  int fd = open("p.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK_OK(fd);
  CHECK(write(fd, "0123456789", 10) == 10, "write");
  CHECK(lseek(fd, 3, SEEK_SET) == 3, "lseek");
  CHECK(pwrite(fd, "AB", 2, 5) == 2, "pwrite");
  CHECK(tell(fd) == 3, "pwrite moved the position");
  char buf[4] = {0};
  CHECK(pread(fd, buf, 3, 4) == 3, "pread");
  CHECK(memcmp(buf, "4AB", 3) == 0, "pread got '%.3s'", buf);
  CHECK(tell(fd) == 3, "pread moved the position");
  /* pread at or past the end reads nothing; pwrite past it extends. */
  CHECK(pread(fd, buf, 3, 10) == 0, "pread at end");
  CHECK(pwrite(fd, "Z", 1, 12) == 1, "pwrite past end");
  CHECK(file_size("p.txt") == 13, "size after pwrite past end");
  /* Raw scatter/gather forms. */
  __wasi_ciovec_t out[2] = {{(const uint8_t *)"xy", 2},
                            {(const uint8_t *)"z", 1}};
  __wasi_size_t n;
  CHECK_WASI(__wasi_fd_pwrite((__wasi_fd_t)fd, out, 2, 0, &n), 0);
  CHECK(n == 3, "fd_pwrite wrote %lu", n);
  char a[2], b[3];
  __wasi_iovec_t in[2] = {{(uint8_t *)a, 2}, {(uint8_t *)b, 3}};
  CHECK_WASI(__wasi_fd_pread((__wasi_fd_t)fd, in, 2, 1, &n), 0);
  CHECK(n == 5 && memcmp(a, "yz", 2) == 0 && memcmp(b, "34A", 3) == 0,
        "fd_pread got %lu bytes", n);
  CHECK_OK(close(fd));
}

static void truncate_and_stat(void) {
  write_file("t.txt", "0123456789");
  int fd = open("t.txt", O_RDWR);
  CHECK_OK(fd);
  CHECK_OK(ftruncate(fd, 4));
  struct stat st;
  CHECK_OK(fstat(fd, &st));
  CHECK(st.st_size == 4, "size after shrink %lld", (long long)st.st_size);
  CHECK(S_ISREG(st.st_mode), "not a regular file");
  CHECK(st.st_nlink == 1, "nlink %llu", (unsigned long long)st.st_nlink);
  CHECK_OK(ftruncate(fd, 8));
  char buf[8];
  CHECK(pread(fd, buf, 8, 0) == 8, "pread after grow");
  CHECK(memcmp(buf, "0123\0\0\0\0", 8) == 0, "grown part not zeros");
  CHECK_OK(close(fd));
  CHECK(file_size("t.txt") == 8, "stat size after grow");
  CHECK_OK(truncate("t.txt", 2));
  CHECK(file_size("t.txt") == 2, "truncate(path)");

  /* stat of a file and a directory agree with fstat; inodes/devices too. */
  struct stat by_path, by_fd;
  CHECK_OK(stat("t.txt", &by_path));
  fd = open("t.txt", O_RDONLY);
  CHECK_OK(fd);
  CHECK_OK(fstat(fd, &by_fd));
  CHECK(by_path.st_ino == by_fd.st_ino && by_path.st_dev == by_fd.st_dev,
        "stat and fstat disagree on the inode");
  CHECK_OK(close(fd));
  CHECK_OK(stat("sub", &st));
  CHECK(S_ISDIR(st.st_mode), "sub is not a directory");
  errno = 0;
  CHECK(stat("no-such-file", &st) == -1 && errno == ENOENT,
        "stat missing: errno %d", errno);
  errno = 0;
  CHECK(stat("data.txt/x", &st) == -1 && errno == ENOTDIR,
        "stat through a file: errno %d", errno);
}

static void set_times(void) {
  write_file("times.txt", "x");
  __wasi_fd_t dir = sandbox_fd();
  __wasi_fd_t fd;
  CHECK_WASI(open_at(dir, "times.txt", 0, 0, &fd), 0);
  const __wasi_timestamp_t atim = 1000000000ull * 1000000000ull; /* 2001 */
  const __wasi_timestamp_t mtim = 1234567890ull * 1000000000ull; /* 2009 */
  CHECK_WASI(__wasi_fd_filestat_set_times(
                 fd, atim, mtim,
                 __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
             0);
  __wasi_filestat_t st;
  CHECK_WASI(__wasi_fd_filestat_get(fd, &st), 0);
  CHECK(st.atim == atim && st.mtim == mtim, "times %llu/%llu",
        (unsigned long long)st.atim, (unsigned long long)st.mtim);
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 1,
        "filestat type %u size %llu", st.filetype,
        (unsigned long long)st.size);
  /* Setting only the mtime leaves the atime alone. */
  CHECK_WASI(__wasi_fd_filestat_set_times(fd, 0, mtim + 5000000000ull,
                                          __WASI_FSTFLAGS_MTIM),
             0);
  CHECK_WASI(__wasi_fd_filestat_get(fd, &st), 0);
  CHECK(st.atim == atim && st.mtim == mtim + 5000000000ull,
        "after mtime only: %llu/%llu", (unsigned long long)st.atim,
        (unsigned long long)st.mtim);
  /* A value and "now" for the same time is EINVAL. */
  CHECK_WASI(__wasi_fd_filestat_set_times(
                 fd, atim, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
             __WASI_ERRNO_INVAL);
  CHECK_WASI(__wasi_fd_close(fd), 0);

  /* By path, "now": the mtime lands near the realtime clock. */
  __wasi_timestamp_t now;
  CHECK_WASI(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now), 0);
  CHECK_WASI(__wasi_path_filestat_set_times(dir, 0, "times.txt", 0, 0,
                                            __WASI_FSTFLAGS_MTIM_NOW),
             0);
  CHECK_WASI(__wasi_path_filestat_get(dir, 0, "times.txt", &st), 0);
  const __wasi_timestamp_t slack = 10000000000ull; /* 10 s */
  CHECK(st.mtim + slack > now && st.mtim < now + slack,
        "mtime %llu not near now %llu", (unsigned long long)st.mtim,
        (unsigned long long)now);
  CHECK(st.atim == atim, "path set-times mtime-now changed the atime");
}

static void open_flags(void) {
  /* O_APPEND: every write goes to the end, whatever the position. */
  write_file("append.txt", "abc");
  int fd = open("append.txt", O_WRONLY | O_APPEND);
  CHECK_OK(fd);
  CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek on append fd");
  CHECK(write(fd, "def", 3) == 3, "append write");
  CHECK(fcntl(fd, F_GETFL) & O_APPEND, "O_APPEND not reported by F_GETFL");
  CHECK_OK(close(fd));
  char buf[32];
  read_file("append.txt", buf, sizeof buf);
  CHECK(strcmp(buf, "abcdef") == 0, "append gave '%s'", buf);

  /* O_EXCL with O_CREAT fails on an existing file, works on a new one. */
  errno = 0;
  CHECK(open("append.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 &&
            errno == EEXIST,
        "O_EXCL on existing file: errno %d", errno);
  fd = open("excl.txt", O_CREAT | O_EXCL | O_WRONLY, 0644);
  CHECK_OK(fd);
  CHECK_OK(close(fd));

  /* O_TRUNC empties an existing file; without it the content stays. */
  fd = open("append.txt", O_WRONLY);
  CHECK_OK(fd);
  CHECK_OK(close(fd));
  CHECK(file_size("append.txt") == 6, "open without O_TRUNC truncated");
  fd = open("append.txt", O_WRONLY | O_TRUNC);
  CHECK_OK(fd);
  CHECK_OK(close(fd));
  CHECK(file_size("append.txt") == 0, "O_TRUNC left %lld bytes",
        (long long)file_size("append.txt"));

  /* Without O_CREAT a missing file is ENOENT. */
  errno = 0;
  CHECK(open("missing.txt", O_RDONLY) == -1 && errno == ENOENT,
        "open missing: errno %d", errno);

  /* O_DIRECTORY: a directory opens, a file is ENOTDIR. */
  __wasi_fd_t dir = sandbox_fd(), sub;
  CHECK_WASI(open_at(dir, "sub", __WASI_OFLAGS_DIRECTORY, 0, &sub), 0);
  __wasi_fdstat_t st;
  CHECK_WASI(__wasi_fd_fdstat_get(sub, &st), 0);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "sub filetype %u",
        st.fs_filetype);
  /* Reading a directory as a file fails. */
  char c;
  __wasi_iovec_t iov = {(uint8_t *)&c, 1};
  __wasi_size_t n;
  __wasi_errno_t e = __wasi_fd_read(sub, &iov, 1, &n);
  CHECK(e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_BADF ||
            e == __WASI_ERRNO_NOTCAPABLE,
        "fd_read on a directory gave %u", e);
  CHECK_WASI(__wasi_fd_close(sub), 0);
  __wasi_fd_t file;
  CHECK_WASI(open_at(dir, "data.txt", __WASI_OFLAGS_DIRECTORY, 0, &file),
             __WASI_ERRNO_NOTDIR);
  errno = 0;
  CHECK(open("sub", O_WRONLY) == -1 && errno == EISDIR,
        "open directory for writing: errno %d", errno);
  /* O_CREAT|O_DIRECTORY is not a way to make directories. */
  CHECK(open_at(dir, "newdir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY,
                0, &file) != 0,
        "path_open(CREAT|DIRECTORY) succeeded");
  CHECK(access("newdir", F_OK) != 0, "newdir was created");
}

static void rights_follow_open_mode(void) {
  int fd = open("data.txt", O_WRONLY);
  CHECK_OK(fd);
  char c;
  errno = 0;
  CHECK(read(fd, &c, 1) == -1 && (errno == EBADF || errno == ENOTCAPABLE),
        "read on a write-only fd: errno %d", errno);
  CHECK_OK(close(fd));
  fd = open("data.txt", O_RDONLY);
  CHECK_OK(fd);
  errno = 0;
  CHECK(write(fd, "x", 1) == -1 && (errno == EBADF || errno == ENOTCAPABLE),
        "write on a read-only fd: errno %d", errno);
  CHECK_OK(close(fd));
  char buf[32];
  read_file("data.txt", buf, sizeof buf);
  CHECK(strcmp(buf, "sandbox data\n") == 0, "data.txt changed: '%s'", buf);
}

static void sync_and_advise(void) {
  int fd = open("sync.txt", O_CREAT | O_RDWR, 0644);
  CHECK_OK(fd);
  CHECK(write(fd, "sync", 4) == 4, "write");
  CHECK_OK(fsync(fd));
  CHECK_OK(fdatasync(fd));
  CHECK_WASI(__wasi_fd_advise((__wasi_fd_t)fd, 0, 4,
                              __WASI_ADVICE_SEQUENTIAL),
             0);
  CHECK_OK(close(fd));
}

int main(void) {
  read_write_seek();
  pread_pwrite();
  truncate_and_stat();
  set_times();
  open_flags();
  rights_follow_open_mode();
  sync_and_advise();
  puts("files ok");
  return 0;
}
