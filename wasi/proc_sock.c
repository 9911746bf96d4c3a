/* proc_exit, proc_raise, sched_yield and the sock_* calls. Sockets exist
 * only when the embedder hands one in (a --tcplisten listener, a stdio fd)
 * and as the connections accepted on them; they are driven with plain
 * accept4/recvmsg/sendmsg/shutdown on the host fd. accept, recv and send
 * may block (on a socket without NONBLOCK): they run without the
 * context's lock, as fd_read does, so that other threads' WASI calls go
 * on meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

uint16_t wasi_proc_exit(wasi_call *c) {
  c->trap = wrun_trap_new_exit((int32_t)wasi_arg32(c, 0));
  return WASI_ESUCCESS;
}

uint16_t wasi_proc_raise(wasi_call *c) { return WASI_ENOSYS; }

uint16_t wasi_sched_yield(wasi_call *c) {
  sched_yield();
  return WASI_ESUCCESS;
}

static bool is_socket(const wasi_fd *f) {
  return f->filetype == WASI_FILETYPE_SOCKET_STREAM ||
         f->filetype == WASI_FILETYPE_SOCKET_DGRAM;
}

/* Looks up a socket fd with the given rights. */
static uint16_t socket_fd(wasi_call *c, uint32_t fd, uint64_t rights,
                          wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(c->w, fd);
  if (!f) return WASI_EBADF;
  if (!is_socket(f)) return WASI_ENOTSOCK;
  if ((f->rights_base & rights) != rights) return WASI_ENOTCAPABLE;
  *out = f;
  return WASI_ESUCCESS;
}

/* Reads a guest iovec array into host iovecs (checked); at most 1024, the
 * size of the callers' arrays. */
static uint16_t gather_iovecs(wasi_mem *m, uint32_t iovs, uint32_t n,
                              struct iovec *out) {
  if (n > 1024) return WASI_EINVAL;
  if (!wasi_mem_ok(m, iovs, (uint64_t)n * 8)) return WASI_EFAULT;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = wasi_get_u32(m, iovs + 8 * i);
    uint32_t len = wasi_get_u32(m, iovs + 8 * i + 4);
    if (!wasi_mem_ok(m, buf, len)) return WASI_EFAULT;
    out[i].iov_base = m->base + buf;
    out[i].iov_len = len;
  }
  return WASI_ESUCCESS;
}

uint16_t wasi_sock_accept(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = socket_fd(c, wasi_arg32(c, 0), WASI_RIGHT_SOCK_ACCEPT, &f);
  if (err) return err;
  uint16_t flags = (uint16_t)wasi_arg32(c, 1);
  uint32_t out = wasi_arg32(c, 2);
  if (flags & ~WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
  if (!wasi_mem_ok(&c->mem, out, 4)) return WASI_EFAULT;
  int listener = f->host_fd; /* f may move once the lock is dropped */
  uint64_t rights = f->rights_inheriting & WASI_RIGHTS_CONNECTION;
  wasi_unlock(c->w);
  int s;
  do {
    s = accept4(listener, NULL, NULL,
                SOCK_CLOEXEC | (flags ? SOCK_NONBLOCK : 0));
  } while (s < 0 && errno == EINTR);
  int saved = errno;
  wasi_lock(c->w);
  if (s < 0) return wasi_errno_from_host(saved);
  wasi_fd e = {0};
  e.host_fd = s;
  e.owns_host_fd = true;
  e.filetype = WASI_FILETYPE_SOCKET_STREAM;
  e.rights_base = rights;
  e.rights_inheriting = 0;
  e.fdflags = flags;
  uint32_t num;
  err = wasi_fd_insert(c->w, &e, &num);
  if (err) {
    close(s);
    return err;
  }
  wasi_put_u32(&c->mem, out, num);
  return WASI_ESUCCESS;
}

uint16_t wasi_sock_recv(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = socket_fd(c, wasi_arg32(c, 0), WASI_RIGHT_FD_READ, &f);
  if (err) return err;
  uint32_t iovs = wasi_arg32(c, 1), n = wasi_arg32(c, 2);
  uint16_t riflags = (uint16_t)wasi_arg32(c, 3);
  uint32_t nread_ptr = wasi_arg32(c, 4), oflags_ptr = wasi_arg32(c, 5);
  if (!wasi_mem_ok(&c->mem, nread_ptr, 4) ||
      !wasi_mem_ok(&c->mem, oflags_ptr, 2))
    return WASI_EFAULT;
  struct iovec vec[1024];
  err = gather_iovecs(&c->mem, iovs, n, vec);
  if (err) return err;
  if (riflags & ~3u) return WASI_EINVAL;
  struct msghdr msg = {.msg_iov = vec, .msg_iovlen = n};
  int host_flags = ((riflags & 1) ? MSG_PEEK : 0) |
                   ((riflags & 2) ? MSG_WAITALL : 0);
  int host_fd = f->host_fd;
  wasi_unlock(c->w);
  ssize_t got;
  do {
    got = recvmsg(host_fd, &msg, host_flags);
  } while (got < 0 && errno == EINTR);
  int saved = errno;
  wasi_lock(c->w);
  if (got < 0) return wasi_errno_from_host(saved);
  wasi_put_u32(&c->mem, nread_ptr, (uint32_t)got);
  wasi_put_u16(&c->mem, oflags_ptr, (msg.msg_flags & MSG_TRUNC) ? 1 : 0);
  return WASI_ESUCCESS;
}

uint16_t wasi_sock_send(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = socket_fd(c, wasi_arg32(c, 0), WASI_RIGHT_FD_WRITE, &f);
  if (err) return err;
  uint32_t iovs = wasi_arg32(c, 1), n = wasi_arg32(c, 2);
  uint32_t out = wasi_arg32(c, 4);
  if (!wasi_mem_ok(&c->mem, out, 4)) return WASI_EFAULT;
  struct iovec vec[1024];
  err = gather_iovecs(&c->mem, iovs, n, vec);
  if (err) return err;
  struct msghdr msg = {.msg_iov = vec, .msg_iovlen = n};
  /* MSG_NOSIGNAL: a peer that has gone is EPIPE for the guest, not a
   * SIGPIPE that ends wrun. */
  int host_fd = f->host_fd;
  wasi_unlock(c->w);
  ssize_t put;
  do {
    put = sendmsg(host_fd, &msg, MSG_NOSIGNAL);
  } while (put < 0 && errno == EINTR);
  int saved = errno;
  wasi_lock(c->w);
  if (put < 0) return wasi_errno_from_host(saved);
  wasi_put_u32(&c->mem, out, (uint32_t)put);
  return WASI_ESUCCESS;
}

uint16_t wasi_sock_shutdown(wasi_call *c) {
  wasi_fd *f;
  uint16_t err = socket_fd(c, wasi_arg32(c, 0), WASI_RIGHT_SOCK_SHUTDOWN, &f);
  if (err) return err;
  uint32_t how = wasi_arg32(c, 1);
  int host;
  switch (how) {
  case 1: host = SHUT_RD; break;
  case 2: host = SHUT_WR; break;
  case 3: host = SHUT_RDWR; break;
  default: return WASI_EINVAL;
  }
  if (shutdown(f->host_fd, host) != 0) return wasi_errno_from_host(errno);
  return WASI_ESUCCESS;
}
