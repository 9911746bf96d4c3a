/* path_* calls. Every path goes through wasi_resolve_at (wasi/path.c), which
 * expands symlinks itself; the host calls then never follow a symlink at
 * the last component (O_NOFOLLOW, lstat, AT_SYMLINK_NOFOLLOW), so what they
 * touch is what the sandbox checked. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_internal.h"

/* True when the path names the directory fd itself ("." or "a/.."): such a
 * path must never be removed or renamed, whatever the host would allow. */
static bool is_dir_itself(const wasi_fd *dir, const char *host) {
  return strcmp(dir->host_path, host) == 0;
}

/* Resolves argument pair (ptr_arg, ptr_arg+1) under the fd in fd_arg. */
static uint16_t resolve(wasi_call *c, int fd_arg, int ptr_arg,
                        uint64_t rights, bool follow, char **host,
                        wasi_fd **dir) {
  return wasi_resolve_at(c->w, &c->mem, wasi_arg32(c, fd_arg), rights,
                         wasi_arg32(c, ptr_arg), wasi_arg32(c, ptr_arg + 1),
                         follow, host, dir);
}

/* ---- path_open ---------------------------------------------------------- */

/* The access mode: writing when FD_WRITE is asked, as Wasmtime decides it.
 * The rights that only go with writing (allocate, set size) get a
 * writable host fd too; FD_DATASYNC does not need one (fdatasync works
 * on any fd), so the rights a directory reports re-open it. A directory
 * asked for FD_WRITE is EISDIR, from the host, with O_DIRECTORY or not. */
static int host_open_flags(uint32_t oflags, uint64_t rights, uint32_t fdflags) {
  bool read = rights & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
  bool write = rights & (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |
                         WASI_RIGHT_FD_FILESTAT_SET_SIZE);
  int flags = O_CLOEXEC | O_NOFOLLOW;
  if (write && (oflags & WASI_OFLAG_DIRECTORY) &&
      !(rights & WASI_RIGHT_FD_WRITE))
    write = false; /* allocate/set size alone mean nothing for a directory */
  flags |= write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & WASI_OFLAG_CREAT) flags |= O_CREAT;
  if (oflags & WASI_OFLAG_DIRECTORY) flags |= O_DIRECTORY;
  if (oflags & WASI_OFLAG_EXCL) flags |= O_EXCL;
  if (oflags & WASI_OFLAG_TRUNC) flags |= O_TRUNC;
  if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
  if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;
  if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
  return flags;
}

uint16_t wasi_path_open(wasi_call *c) {
  uint32_t lookup = wasi_arg32(c, 1), oflags = wasi_arg32(c, 4);
  uint64_t base = wasi_arg64(c, 5), inheriting = wasi_arg64(c, 6);
  uint32_t fdflags = wasi_arg32(c, 7), out = wasi_arg32(c, 8);
  if (oflags > 15 || fdflags > 31) return WASI_EINVAL;
  uint64_t need = WASI_RIGHT_PATH_OPEN;
  if (oflags & WASI_OFLAG_CREAT) need |= WASI_RIGHT_PATH_CREATE_FILE;
  if (oflags & WASI_OFLAG_TRUNC) need |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
  if (!wasi_mem_ok(&c->mem, out, 4)) return WASI_EFAULT;
  char *host;
  wasi_fd *dir;
  uint16_t err = resolve(c, 0, 2, need,
                         lookup & WASI_LOOKUP_SYMLINK_FOLLOW, &host, &dir);
  if (err) return err;
  uint64_t allowed = dir->rights_inheriting;
  uv_fs_t req;
  int fd = uv_fs_open(wasi_loop(c->w), &req, host,
                      host_open_flags(oflags, base & allowed, fdflags), 0666,
                      NULL);
  uv_fs_req_cleanup(&req);
  if (fd < 0) {
    free(host);
    return wasi_errno_from_uv(fd);
  }
  int r = uv_fs_fstat(wasi_loop(c->w), &req, fd, NULL);
  uint64_t mode = req.statbuf.st_mode;
  uv_fs_req_cleanup(&req);
  if (r < 0) {
    close(fd);
    free(host);
    return wasi_errno_from_uv(r);
  }
  wasi_fd e = {0};
  e.host_fd = fd;
  e.owns_host_fd = true;
  e.filetype = wasi_filetype_of_mode(mode);
  /* Rights beyond what the directory passes on, or what this kind of file
   * can do, are dropped (the spec allows returning fewer). */
  e.rights_base = base & allowed & wasi_rights_for_type(e.filetype);
  e.rights_inheriting = inheriting & allowed;
  e.fdflags = (uint16_t)fdflags;
  if (e.filetype == WASI_FILETYPE_DIRECTORY) {
    e.host_path = host;
  } else {
    free(host);
  }
  uint32_t num;
  err = wasi_fd_insert(c->w, &e, &num);
  if (err) {
    wasi_fd_release(&e);
    return err;
  }
  wasi_put_u32(&c->mem, out, num);
  return WASI_ESUCCESS;
}

/* ---- metadata ----------------------------------------------------------- */

uint16_t wasi_path_filestat_get(wasi_call *c) {
  char *host;
  uint16_t err = resolve(c, 0, 2, WASI_RIGHT_PATH_FILESTAT_GET,
                         wasi_arg32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &host,
                         NULL);
  if (err) return err;
  uv_fs_t req;
  int r = uv_fs_lstat(wasi_loop(c->w), &req, host, NULL);
  uv_stat_t st = req.statbuf;
  uv_fs_req_cleanup(&req);
  free(host);
  if (r < 0) return wasi_errno_from_uv(r);
  return wasi_put_filestat(c, wasi_arg32(c, 4), &st);
}

uint16_t wasi_path_filestat_set_times(wasi_call *c) {
  char *host;
  uint16_t err = resolve(c, 0, 2, WASI_RIGHT_PATH_FILESTAT_SET_TIMES,
                         wasi_arg32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &host,
                         NULL);
  if (err) return err;
  err = wasi_set_times(c->w, -1, host, false, wasi_arg64(c, 4),
                       wasi_arg64(c, 5), (uint16_t)wasi_arg32(c, 6));
  free(host);
  return err;
}

uint16_t wasi_path_readlink(wasi_call *c) {
  uint32_t buf = wasi_arg32(c, 3), len = wasi_arg32(c, 4);
  uint32_t out = wasi_arg32(c, 5);
  if (!wasi_mem_ok(&c->mem, buf, len) || !wasi_mem_ok(&c->mem, out, 4))
    return WASI_EFAULT;
  char *host;
  uint16_t err = resolve(c, 0, 1, WASI_RIGHT_PATH_READLINK, false, &host,
                         NULL);
  if (err) return err;
  uv_fs_t req;
  int r = uv_fs_readlink(wasi_loop(c->w), &req, host, NULL);
  free(host);
  if (r < 0) {
    uv_fs_req_cleanup(&req);
    return wasi_errno_from_uv(r);
  }
  size_t n = strlen((const char *)req.ptr);
  if (n > len) n = len; /* truncated, as readlink(2) does */
  memcpy(c->mem.base + buf, req.ptr, n);
  uv_fs_req_cleanup(&req);
  wasi_put_u32(&c->mem, out, (uint32_t)n);
  return WASI_ESUCCESS;
}

/* ---- creating and removing ---------------------------------------------- */

uint16_t wasi_path_create_directory(wasi_call *c) {
  char *host;
  uint16_t err = resolve(c, 0, 1, WASI_RIGHT_PATH_CREATE_DIRECTORY, false,
                         &host, NULL);
  if (err) return err;
  uv_fs_t req;
  int r = uv_fs_mkdir(wasi_loop(c->w), &req, host, 0777, NULL);
  uv_fs_req_cleanup(&req);
  free(host);
  return wasi_errno_from_uv(r);
}

uint16_t wasi_path_remove_directory(wasi_call *c) {
  char *host;
  wasi_fd *dir;
  uint16_t err = resolve(c, 0, 1, WASI_RIGHT_PATH_REMOVE_DIRECTORY, false,
                         &host, &dir);
  if (err) return err;
  int r = UV_EBUSY;
  if (!is_dir_itself(dir, host)) {
    uv_fs_t req;
    r = uv_fs_rmdir(wasi_loop(c->w), &req, host, NULL);
    uv_fs_req_cleanup(&req);
  }
  free(host);
  return wasi_errno_from_uv(r);
}

uint16_t wasi_path_unlink_file(wasi_call *c) {
  char *host;
  wasi_fd *dir;
  uint16_t err = resolve(c, 0, 1, WASI_RIGHT_PATH_UNLINK_FILE, false, &host,
                         &dir);
  if (err) return err;
  int r = UV_EISDIR;
  if (!is_dir_itself(dir, host)) {
    uv_fs_t req;
    r = uv_fs_unlink(wasi_loop(c->w), &req, host, NULL);
    uv_fs_req_cleanup(&req);
  }
  free(host);
  return wasi_errno_from_uv(r);
}

uint16_t wasi_path_symlink(wasi_call *c) {
  uint32_t target_ptr = wasi_arg32(c, 0), target_len = wasi_arg32(c, 1);
  if (!wasi_mem_ok(&c->mem, target_ptr, target_len)) return WASI_EFAULT;
  const char *raw = (const char *)c->mem.base + target_ptr;
  if (target_len == 0) return WASI_ENOENT;
  if (target_len > WASI_PATH_MAX) return WASI_ENAMETOOLONG;
  if (memchr(raw, '\0', target_len)) return WASI_EILSEQ;
  /* As Wasmtime: an absolute target could point other host programs
   * outside the sandbox, so it is never created. A relative target that
   * climbs out may be created (POSIX allows dangling links) but opening
   * through it is refused by the resolver. */
  if (raw[0] == '/') return WASI_EPERM;
  char *target = strndup(raw, target_len);
  if (!target) return WASI_ENOMEM;
  char *host;
  uint16_t err = resolve(c, 2, 3, WASI_RIGHT_PATH_SYMLINK, false, &host,
                         NULL);
  if (err) {
    free(target);
    return err;
  }
  uv_fs_t req;
  int r = uv_fs_symlink(wasi_loop(c->w), &req, target, host, 0, NULL);
  uv_fs_req_cleanup(&req);
  free(host);
  free(target);
  return wasi_errno_from_uv(r);
}

/* ---- two-path calls: each side resolves in its own directory ----------- */

uint16_t wasi_path_link(wasi_call *c) {
  char *from, *to;
  wasi_fd *from_dir, *to_dir;
  uint16_t err = resolve(c, 0, 2, WASI_RIGHT_PATH_LINK_SOURCE,
                         wasi_arg32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &from,
                         &from_dir);
  if (err) return err;
  err = resolve(c, 4, 5, WASI_RIGHT_PATH_LINK_TARGET, false, &to, &to_dir);
  if (err) {
    free(from);
    return err;
  }
  int r = UV_EPERM;
  if (!is_dir_itself(from_dir, from) && !is_dir_itself(to_dir, to)) {
    uv_fs_t req;
    r = uv_fs_link(wasi_loop(c->w), &req, from, to, NULL);
    uv_fs_req_cleanup(&req);
  }
  free(from);
  free(to);
  return wasi_errno_from_uv(r);
}

uint16_t wasi_path_rename(wasi_call *c) {
  char *from, *to;
  wasi_fd *from_dir, *to_dir;
  uint16_t err = resolve(c, 0, 1, WASI_RIGHT_PATH_RENAME_SOURCE, false, &from,
                         &from_dir);
  if (err) return err;
  err = resolve(c, 3, 4, WASI_RIGHT_PATH_RENAME_TARGET, false, &to, &to_dir);
  if (err) {
    free(from);
    return err;
  }
  int r = UV_EBUSY;
  if (!is_dir_itself(from_dir, from) && !is_dir_itself(to_dir, to)) {
    uv_fs_t req;
    r = uv_fs_rename(wasi_loop(c->w), &req, from, to, NULL);
    uv_fs_req_cleanup(&req);
  }
  free(from);
  free(to);
  return wasi_errno_from_uv(r);
}
