/* fd_* calls: reads and writes go straight between the host fd and guest
 * memory (uv_fs_read/uv_fs_write with checked iovecs, no copies). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

/* As many iovecs as the host accepts in one call (IOV_MAX on Linux). */
#define WASI_MAX_IOVS 1024

/* Turns a guest (c)iovec array into uv buffers pointing into guest memory;
 * every buffer is bounds-checked. */
static uint16_t guest_iovecs(wasi_mem *m, uint32_t iovs, uint32_t n,
                             uv_buf_t *out) {
  if (n > WASI_MAX_IOVS) return WASI_EINVAL;
  if (!wasi_mem_ok(m, iovs, (uint64_t)n * 8)) return WASI_EFAULT;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = wasi_get_u32(m, iovs + 8 * i);
    uint32_t len = wasi_get_u32(m, iovs + 8 * i + 4);
    if (!wasi_mem_ok(m, buf, len)) return WASI_EFAULT;
    out[i] = uv_buf_init((char *)m->base + buf, len);
  }
  return WASI_ESUCCESS;
}

/* One readv/writev (or the p- forms at offset >= 0), as libuv's
 * synchronous uv_fs_read/uv_fs_write do it (n is at most IOV_MAX), but
 * without a loop: it runs outside the context's lock. A write to a socket
 * is a sendmsg with MSG_NOSIGNAL: a peer that has gone is EPIPE for the
 * guest, not a SIGPIPE that ends wrun. */
static ssize_t host_transfer(int fd, bool write, bool socket,
                             const uv_buf_t *bufs, uint32_t n,
                             int64_t offset) {
  /* uv_buf_t is laid out as struct iovec on Unix (libuv says so). */
  struct iovec *iov = (struct iovec *)bufs;
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
  ssize_t r;
  do {
    if (offset >= 0)
      r = write ? pwritev(fd, iov, (int)n, offset)
                : preadv(fd, iov, (int)n, offset);
    else if (write && socket)
      r = sendmsg(fd, &msg, MSG_NOSIGNAL);
    else
      r = write ? writev(fd, iov, (int)n) : readv(fd, iov, (int)n);
  } while (r < 0 && errno == EINTR);
  return r;
}

/* Shared body of fd_read/fd_write/fd_pread/fd_pwrite; offset -1 means the
 * current position. Runs locked (wasi_dispatch) but for the transfer
 * itself: a read that blocks (a terminal, a pipe) must not stop the WASI
 * calls of other threads. */
static uint16_t transfer(wasi_call *c, bool write, uint64_t rights,
                         int64_t offset, uint32_t result_ptr) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0), rights, &f);
  if (err) return err;
  if (!wasi_mem_ok(&c->mem, result_ptr, 4)) return WASI_EFAULT;
  if (f->filetype == WASI_FILETYPE_DIRECTORY) return WASI_EISDIR;
  uv_buf_t bufs[WASI_MAX_IOVS];
  uint32_t n = wasi_arg32(c, 2);
  err = guest_iovecs(&c->mem, wasi_arg32(c, 1), n, bufs);
  if (err) return err;
  if (n == 0) { /* libuv refuses an empty vector; nothing to transfer */
    wasi_put_u32(&c->mem, result_ptr, 0);
    return WASI_ESUCCESS;
  }
  int host_fd = f->host_fd; /* f may move once the lock is dropped */
  bool socket = f->filetype == WASI_FILETYPE_SOCKET_STREAM ||
                f->filetype == WASI_FILETYPE_SOCKET_DGRAM;
  wasi_unlock(c->w);
  ssize_t r = host_transfer(host_fd, write, socket, bufs, n, offset);
  int saved = errno;
  wasi_lock(c->w);
  if (r < 0) return wasi_errno_from_host(saved);
  wasi_put_u32(&c->mem, result_ptr, (uint32_t)r);
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_read(wasi_call *c) {
  return transfer(c, false, WASI_RIGHT_FD_READ, -1, wasi_arg32(c, 3));
}

uint16_t wasi_fd_write(wasi_call *c) {
  return transfer(c, true, WASI_RIGHT_FD_WRITE, -1, wasi_arg32(c, 3));
}

uint16_t wasi_fd_pread(wasi_call *c) {
  uint64_t offset = wasi_arg64(c, 3);
  if (offset > INT64_MAX) return WASI_EINVAL;
  return transfer(c, false, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK,
                  (int64_t)offset, wasi_arg32(c, 4));
}

uint16_t wasi_fd_pwrite(wasi_call *c) {
  uint64_t offset = wasi_arg64(c, 3);
  if (offset > INT64_MAX) return WASI_EINVAL;
  return transfer(c, true, WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK,
                  (int64_t)offset, wasi_arg32(c, 4));
}

/* ---- seeking ------------------------------------------------------------ */

uint16_t wasi_fd_seek(wasi_call *c) {
  int64_t delta = (int64_t)wasi_arg64(c, 1);
  uint32_t whence = wasi_arg32(c, 2), out = wasi_arg32(c, 3);
  /* wasi_unstable numbered whence CUR, END, SET; preview1 SET, CUR, END. */
  static const int preview1[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  static const int unstable[] = {SEEK_CUR, SEEK_END, SEEK_SET};
  if (whence > 2) return WASI_EINVAL;
  int host_whence = c->unstable ? unstable[whence] : preview1[whence];
  /* Asking for the position only needs the tell right. */
  uint64_t right = (delta == 0 && host_whence == SEEK_CUR)
                       ? WASI_RIGHT_FD_TELL
                       : WASI_RIGHT_FD_SEEK;
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0), right, &f);
  if (err) return err;
  if (!wasi_mem_ok(&c->mem, out, 8)) return WASI_EFAULT;
  if (f->filetype == WASI_FILETYPE_DIRECTORY) return WASI_EBADF;
  off_t pos = lseek(f->host_fd, (off_t)delta, host_whence);
  if (pos < 0) return wasi_errno_from_host(errno);
  wasi_put_u64(&c->mem, out, (uint64_t)pos);
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_tell(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0), WASI_RIGHT_FD_TELL, &f);
  if (err) return err;
  uint32_t out = wasi_arg32(c, 1);
  if (!wasi_mem_ok(&c->mem, out, 8)) return WASI_EFAULT;
  off_t pos = lseek(f->host_fd, 0, SEEK_CUR);
  if (pos < 0) return wasi_errno_from_host(errno);
  wasi_put_u64(&c->mem, out, (uint64_t)pos);
  return WASI_ESUCCESS;
}

/* ---- fd state ----------------------------------------------------------- */

uint16_t wasi_fd_close(wasi_call *c) {
  wasi_fd *f = wasi_fd_get(c->w, wasi_arg32(c, 0));
  if (!f) return WASI_EBADF;
  wasi_fd_release(f);
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_renumber(wasi_call *c) {
  uint32_t from = wasi_arg32(c, 0), to = wasi_arg32(c, 1);
  wasi_fd *src = wasi_fd_get(c->w, from), *dst = wasi_fd_get(c->w, to);
  if (!src || !dst) return WASI_EBADF;
  if (from == to) return WASI_ESUCCESS;
  wasi_fd_release(dst);
  *dst = *src;
  memset(src, 0, sizeof *src);
  src->host_fd = -1;
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_fdstat_get(wasi_call *c) {
  wasi_fd *f = wasi_fd_get(c->w, wasi_arg32(c, 0));
  if (!f) return WASI_EBADF;
  uint32_t out = wasi_arg32(c, 1);
  if (!wasi_mem_ok(&c->mem, out, 24)) return WASI_EFAULT;
  memset(c->mem.base + out, 0, 24);
  wasi_put_u8(&c->mem, out, f->filetype);
  wasi_put_u16(&c->mem, out + 2, f->fdflags);
  wasi_put_u64(&c->mem, out + 8, f->rights_base);
  wasi_put_u64(&c->mem, out + 16, f->rights_inheriting);
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_fdstat_set_flags(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0),
                               WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &f);
  if (err) return err;
  uint32_t flags = wasi_arg32(c, 1);
  if (flags & ~(uint32_t)(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK))
    return flags > 31 ? WASI_EINVAL : WASI_ENOTSUP; /* sync modes */
  int host = fcntl(f->host_fd, F_GETFL);
  if (host < 0) return wasi_errno_from_host(errno);
  host &= ~(O_APPEND | O_NONBLOCK);
  if (flags & WASI_FDFLAG_APPEND) host |= O_APPEND;
  if (flags & WASI_FDFLAG_NONBLOCK) host |= O_NONBLOCK;
  if (fcntl(f->host_fd, F_SETFL, host) != 0)
    return wasi_errno_from_host(errno);
  f->fdflags = (uint16_t)((f->fdflags & ~(WASI_FDFLAG_APPEND |
                                          WASI_FDFLAG_NONBLOCK)) | flags);
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_fdstat_set_rights(wasi_call *c) {
  wasi_fd *f = wasi_fd_get(c->w, wasi_arg32(c, 0));
  if (!f) return WASI_EBADF;
  uint64_t base = wasi_arg64(c, 1), inheriting = wasi_arg64(c, 2);
  /* Rights can only be dropped, never gained. */
  if ((base & ~f->rights_base) || (inheriting & ~f->rights_inheriting))
    return WASI_ENOTCAPABLE;
  f->rights_base = base;
  f->rights_inheriting = inheriting;
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_prestat_get(wasi_call *c) {
  wasi_fd *f = wasi_fd_get(c->w, wasi_arg32(c, 0));
  if (!f || !f->preopen_name) return WASI_EBADF;
  uint32_t out = wasi_arg32(c, 1);
  if (!wasi_mem_ok(&c->mem, out, 8)) return WASI_EFAULT;
  memset(c->mem.base + out, 0, 8);
  wasi_put_u8(&c->mem, out, 0); /* preopentype dir */
  wasi_put_u32(&c->mem, out + 4, (uint32_t)strlen(f->preopen_name));
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_prestat_dir_name(wasi_call *c) {
  wasi_fd *f = wasi_fd_get(c->w, wasi_arg32(c, 0));
  if (!f || !f->preopen_name) return WASI_EBADF;
  uint32_t buf = wasi_arg32(c, 1), len = wasi_arg32(c, 2);
  size_t need = strlen(f->preopen_name);
  if (len < need) return WASI_ENAMETOOLONG;
  if (!wasi_mem_ok(&c->mem, buf, need)) return WASI_EFAULT;
  memcpy(c->mem.base + buf, f->preopen_name, need);
  return WASI_ESUCCESS;
}

/* ---- sync, advise, allocate --------------------------------------------- */

static uint16_t sync_fd(wasi_call *c, uint64_t right, bool data_only) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0), right, &f);
  if (err) return err;
  uv_fs_t req;
  int r = data_only ? uv_fs_fdatasync(wasi_loop(c->w), &req, f->host_fd, NULL)
                    : uv_fs_fsync(wasi_loop(c->w), &req, f->host_fd, NULL);
  uv_fs_req_cleanup(&req);
  return wasi_errno_from_uv(r);
}

uint16_t wasi_fd_sync(wasi_call *c) {
  return sync_fd(c, WASI_RIGHT_FD_SYNC, false);
}

uint16_t wasi_fd_datasync(wasi_call *c) {
  return sync_fd(c, WASI_RIGHT_FD_DATASYNC, true);
}

uint16_t wasi_fd_advise(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0), WASI_RIGHT_FD_ADVISE,
                               &f);
  if (err) return err;
  uint64_t offset = wasi_arg64(c, 1), len = wasi_arg64(c, 2);
  uint32_t advice = wasi_arg32(c, 3);
  if (advice > 5 || offset > INT64_MAX || len > INT64_MAX) return WASI_EINVAL;
  static const int host_advice[] = {
      POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
      POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (f->filetype != WASI_FILETYPE_REGULAR_FILE) return WASI_ESUCCESS;
  int r = posix_fadvise(f->host_fd, (off_t)offset, (off_t)len,
                        host_advice[advice]);
  return wasi_errno_from_host(r);
}

uint16_t wasi_fd_allocate(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0),
                               WASI_RIGHT_FD_ALLOCATE, &f);
  if (err) return err;
  uint64_t offset = wasi_arg64(c, 1), len = wasi_arg64(c, 2);
  if (offset > INT64_MAX || len > INT64_MAX - offset) return WASI_EINVAL;
  if (f->filetype == WASI_FILETYPE_DIRECTORY) return WASI_EISDIR;
  int r = posix_fallocate(f->host_fd, (off_t)offset, (off_t)len);
  if (r == EOPNOTSUPP || r == EINVAL) {
    /* Some file systems cannot preallocate: growing the size is what the
     * guest can observe. */
    struct stat st;
    if (fstat(f->host_fd, &st) != 0) return wasi_errno_from_host(errno);
    if ((uint64_t)st.st_size < offset + len &&
        ftruncate(f->host_fd, (off_t)(offset + len)) != 0)
      return wasi_errno_from_host(errno);
    return WASI_ESUCCESS;
  }
  return wasi_errno_from_host(r);
}

/* ---- filestat ----------------------------------------------------------- */

uint64_t wasi_timespec_ns(uv_timespec_t ts) {
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint16_t wasi_put_filestat(wasi_call *c, uint32_t p, const uv_stat_t *st) {
  wasi_mem *m = &c->mem;
  uint32_t size = c->unstable ? 56 : 64;
  if (!wasi_mem_ok(m, p, size)) return WASI_EFAULT;
  memset(m->base + p, 0, size);
  wasi_put_u64(m, p, st->st_dev);
  wasi_put_u64(m, p + 8, st->st_ino);
  wasi_put_u8(m, p + 16, wasi_filetype_of_mode(st->st_mode));
  /* wasi_unstable had a u32 nlink at 20, shifting the rest by 8. */
  uint32_t rest = c->unstable ? p + 24 : p + 32;
  if (c->unstable)
    wasi_put_u32(m, p + 20, (uint32_t)st->st_nlink);
  else
    wasi_put_u64(m, p + 24, st->st_nlink);
  wasi_put_u64(m, rest, st->st_size);
  wasi_put_u64(m, rest + 8, wasi_timespec_ns(st->st_atim));
  wasi_put_u64(m, rest + 16, wasi_timespec_ns(st->st_mtim));
  wasi_put_u64(m, rest + 24, wasi_timespec_ns(st->st_ctim));
  return WASI_ESUCCESS;
}

uint16_t wasi_fd_filestat_get(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0),
                               WASI_RIGHT_FD_FILESTAT_GET, &f);
  if (err) return err;
  uv_fs_t req;
  int r = uv_fs_fstat(wasi_loop(c->w), &req, f->host_fd, NULL);
  uv_stat_t st = req.statbuf;
  uv_fs_req_cleanup(&req);
  if (r < 0) return wasi_errno_from_uv(r);
  return wasi_put_filestat(c, wasi_arg32(c, 1), &st);
}

uint16_t wasi_fd_filestat_set_size(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0),
                               WASI_RIGHT_FD_FILESTAT_SET_SIZE, &f);
  if (err) return err;
  uint64_t size = wasi_arg64(c, 1);
  if (size > INT64_MAX) return WASI_EINVAL;
  uv_fs_t req;
  int r = uv_fs_ftruncate(wasi_loop(c->w), &req, f->host_fd, (int64_t)size,
                          NULL);
  uv_fs_req_cleanup(&req);
  return wasi_errno_from_uv(r);
}

/* libuv's utime calls take seconds as doubles (losing nanoseconds) and
 * cannot leave one of the two times alone, so utimensat/futimens are used
 * here: they take UTIME_OMIT and UTIME_NOW exactly as WASI's flags mean. */
uint16_t wasi_set_times(wrun_wasi *w, int host_fd, const char *path,
                        bool follow, uint64_t atim, uint64_t mtim,
                        uint16_t fst) {
  if ((fst & WASI_FST_ATIM && fst & WASI_FST_ATIM_NOW) ||
      (fst & WASI_FST_MTIM && fst & WASI_FST_MTIM_NOW) || fst > 15)
    return WASI_EINVAL;
  struct timespec ts[2];
  uint64_t want[2] = {atim, mtim};
  uint16_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
  uint16_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
  for (int i = 0; i < 2; i++) {
    if (fst & now[i]) {
      ts[i].tv_sec = 0;
      ts[i].tv_nsec = UTIME_NOW;
    } else if (fst & set[i]) {
      ts[i].tv_sec = (time_t)(want[i] / 1000000000u);
      ts[i].tv_nsec = (long)(want[i] % 1000000000u);
    } else {
      ts[i].tv_sec = 0;
      ts[i].tv_nsec = UTIME_OMIT;
    }
  }
  int r = path ? utimensat(AT_FDCWD, path, ts,
                           follow ? 0 : AT_SYMLINK_NOFOLLOW)
               : futimens(host_fd, ts);
  return r == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}

uint16_t wasi_fd_filestat_set_times(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0),
                               WASI_RIGHT_FD_FILESTAT_SET_TIMES, &f);
  if (err) return err;
  return wasi_set_times(c->w, f->host_fd, NULL, true, wasi_arg64(c, 1),
                        wasi_arg64(c, 2), (uint16_t)wasi_arg32(c, 3));
}

/* ---- fd_readdir ---------------------------------------------------------- */

static uint8_t filetype_of_dirent(uv_dirent_type_t t) {
  switch (t) {
  case UV_DIRENT_FILE: return WASI_FILETYPE_REGULAR_FILE;
  case UV_DIRENT_DIR: return WASI_FILETYPE_DIRECTORY;
  case UV_DIRENT_LINK: return WASI_FILETYPE_SYMBOLIC_LINK;
  case UV_DIRENT_SOCKET: return WASI_FILETYPE_SOCKET_STREAM;
  case UV_DIRENT_CHAR: return WASI_FILETYPE_CHARACTER_DEVICE;
  case UV_DIRENT_BLOCK: return WASI_FILETYPE_BLOCK_DEVICE;
  default: return WASI_FILETYPE_UNKNOWN;
  }
}

static bool cache_add(wasi_dirent_cache *d, const char *name, uint8_t type,
                      uint64_t ino) {
  size_t n = d->count + 1;
  char **names = realloc(d->names, n * sizeof *names);
  if (names) d->names = names;
  uint8_t *types = realloc(d->types, n);
  if (types) d->types = types;
  uint64_t *inodes = realloc(d->inodes, n * sizeof *inodes);
  if (inodes) d->inodes = inodes;
  char *copy = strdup(name);
  if (!names || !types || !inodes || !copy) {
    free(copy);
    return false;
  }
  names[d->count] = copy;
  types[d->count] = type;
  inodes[d->count] = ino;
  d->count = n;
  return true;
}

static uint64_t inode_of(wrun_wasi *w, const char *dir, const char *name) {
  char *full = wasi_path_join(dir, name);
  if (!full) return 0;
  uv_fs_t req;
  int r = uv_fs_lstat(wasi_loop(w), &req, full, NULL);
  uint64_t ino = r == 0 ? req.statbuf.st_ino : 0;
  uv_fs_req_cleanup(&req);
  free(full);
  return ino;
}

/* Lists the directory: ".", ".." and the entries, sorted by libuv. */
static uint16_t fill_dir_cache(wrun_wasi *w, wasi_fd *f) {
  wasi_dirent_cache_clear(&f->dir);
  uv_fs_t req;
  int r = uv_fs_scandir(wasi_loop(w), &req, f->host_path, 0, NULL);
  if (r < 0) {
    uv_fs_req_cleanup(&req);
    return wasi_errno_from_uv(r);
  }
  bool ok = cache_add(&f->dir, ".", WASI_FILETYPE_DIRECTORY,
                      inode_of(w, f->host_path, ".")) &&
            cache_add(&f->dir, "..", WASI_FILETYPE_DIRECTORY,
                      inode_of(w, f->host_path, ".."));
  uv_dirent_t ent;
  while (ok && uv_fs_scandir_next(&req, &ent) != UV_EOF)
    ok = cache_add(&f->dir, ent.name, filetype_of_dirent(ent.type),
                   inode_of(w, f->host_path, ent.name));
  uv_fs_req_cleanup(&req);
  return ok ? WASI_ESUCCESS : WASI_ENOMEM;
}

uint16_t wasi_fd_readdir(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_arg32(c, 0), WASI_RIGHT_FD_READDIR,
                               &f);
  if (err) return err;
  uint32_t buf = wasi_arg32(c, 1), len = wasi_arg32(c, 2);
  uint64_t cookie = wasi_arg64(c, 3);
  uint32_t used_ptr = wasi_arg32(c, 4);
  if (!wasi_mem_ok(&c->mem, buf, len) || !wasi_mem_ok(&c->mem, used_ptr, 4))
    return WASI_EFAULT;
  if (f->filetype != WASI_FILETYPE_DIRECTORY || !f->host_path)
    return WASI_ENOTDIR;
  /* The cookie is the index of the next entry; 0 starts a fresh listing. */
  if (cookie == 0 || f->dir.names == NULL) {
    err = fill_dir_cache(c->w, f);
    if (err) return err;
  }
  uint32_t used = 0;
  for (uint64_t i = cookie; i < f->dir.count && used < len; i++) {
    uint8_t entry[24] = {0};
    size_t namelen = strlen(f->dir.names[i]);
    wasi_mem tmp = {entry, sizeof entry};
    wasi_put_u64(&tmp, 0, i + 1);
    wasi_put_u64(&tmp, 8, f->dir.inodes[i]);
    wasi_put_u32(&tmp, 16, (uint32_t)namelen);
    wasi_put_u8(&tmp, 20, f->dir.types[i]);
    /* Fill up to the end of the buffer; the last entry may be cut short,
     * which tells the guest to call again with a bigger buffer. */
    uint32_t n = len - used < 24 ? len - used : 24;
    memcpy(c->mem.base + buf + used, entry, n);
    used += n;
    n = len - used < namelen ? len - used : (uint32_t)namelen;
    memcpy(c->mem.base + buf + used, f->dir.names[i], n);
    used += n;
  }
  wasi_put_u32(&c->mem, used_ptr, used);
  return WASI_ESUCCESS;
}
