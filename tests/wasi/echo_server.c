/* echo_server N: an echo server on the listening socket wrun hands in
 * (--dir SANDBOX::/ --tcplisten 127.0.0.1:0), serving N connections at once
 * with poll() (poll_oneoff), then exiting 0. tests/wasi/sockets.py is its
 * client and runs it.
 *
 * Before serving it checks the descriptors: fd 3 is the "/" preopen (and
 * wasi-libc found it: a file in it opens), fd 4 the listener (SOCKET_STREAM,
 * sock_accept and poll rights, NONBLOCK), fd 5 nothing; sock_* on a
 * directory or a pipe is ENOTSOCK; sock_accept with nothing pending is
 * EAGAIN. Then it prints "ready" (the client connects only after that).
 *
 * The first byte a client sends says how its connection is served:
 *   E  echo with recv/send (sock_recv, sock_send); after the client's EOF,
 *      shutdown(SHUT_WR) (sock_shutdown), then close
 *   F  echo with read/write (fd_read, fd_write); after EOF, close
 *   P  as E, but first checks that poll reports only what is ready when one
 *      socket is subscribed for writing and then for reading
 *   R  send, W  write: write without end until the client resets the
 *      connection, which must be EPIPE or ECONNRESET, then EPIPE (and
 *      never SIGPIPE)
 * Connections alternate between non-blocking and blocking (sock_accept's
 * flags). Every accepted connection is a SOCKET_STREAM that can read,
 * write and shut down, and cannot accept. At the end it prints
 * "served N connections: E echoed, R reset". */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define LISTENER 4
#define MAX_CONNS 32
#define BUF_SIZE 16384

typedef struct conn {
  int fd; /* -1: a free slot */
  char mode; /* the first byte, 0 before it came */
  bool eof;  /* the client shut down its side */
  char buf[BUF_SIZE];
  size_t len, off; /* buf[off, len) is received and not echoed yet */
} conn;

static conn conns[MAX_CONNS];
static long accepted, served, resets;

static void check_descriptors(void) {
  __wasi_prestat_t ps;
  CHECK_WASI(__wasi_fd_prestat_get(3, &ps), 0);
  CHECK(sandbox_fd() == 3, "the \"/\" preopen is not fd 3");
  char text[64];
  read_file("data.txt", text, sizeof text);
  CHECK(strcmp(text, "sandbox data\n") == 0, "data.txt: \"%s\"", text);

  __wasi_fdstat_t st;
  CHECK_WASI(__wasi_fd_fdstat_get(LISTENER, &st), 0);
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM,
        "listener filetype %u", st.fs_filetype);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT, "no sock_accept right");
  CHECK(st.fs_rights_base & __WASI_RIGHTS_POLL_FD_READWRITE, "no poll right");
  CHECK(st.fs_flags & __WASI_FDFLAGS_NONBLOCK, "listener flags %u",
        st.fs_flags);
  CHECK_WASI(__wasi_fd_prestat_get(LISTENER, &ps), __WASI_ERRNO_BADF);
  CHECK_WASI(__wasi_fd_fdstat_get(5, &st), __WASI_ERRNO_BADF);

  /* sock_* on what is not a socket: the preopen, stdout (a pipe). */
  __wasi_fd_t fd;
  CHECK_WASI(__wasi_sock_accept(3, 0, &fd), __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_accept(1, 0, &fd), __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_accept(99, 0, &fd), __WASI_ERRNO_BADF);
  char byte;
  __wasi_iovec_t iov = {(uint8_t *)&byte, 1};
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  __wasi_roflags_t roflags;
  CHECK_WASI(__wasi_sock_recv(3, &iov, 1, 0, &n, &roflags),
             __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_send(1, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_shutdown(3, __WASI_SDFLAGS_WR),
             __WASI_ERRNO_NOTSOCK);
  /* The listener reads and writes nothing itself. */
  CHECK_WASI(__wasi_sock_recv(LISTENER, &iov, 1, 0, &n, &roflags),
             __WASI_ERRNO_NOTCAPABLE);

  /* The client waits for "ready": nothing can be pending yet. */
  CHECK_WASI(__wasi_sock_accept(LISTENER, 0, &fd), __WASI_ERRNO_AGAIN);
}

static void check_accepted(int fd, bool nonblocking) {
  __wasi_fdstat_t st;
  CHECK_WASI(__wasi_fd_fdstat_get(fd, &st), 0);
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM,
        "accepted filetype %u", st.fs_filetype);
  const __wasi_rights_t want = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                               __WASI_RIGHTS_SOCK_SHUTDOWN |
                               __WASI_RIGHTS_POLL_FD_READWRITE;
  CHECK((st.fs_rights_base & want) == want, "accepted rights %llx",
        (unsigned long long)st.fs_rights_base);
  CHECK(!(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT),
        "an accepted connection can accept");
  CHECK(!!(st.fs_flags & __WASI_FDFLAGS_NONBLOCK) == nonblocking,
        "accepted flags %u", st.fs_flags);
}

/* Accepts every pending connection there is room for; poll said the
 * listener is readable, so the first one must be there. */
static void accept_pending(void) {
  for (bool first = true;; first = false) {
    int slot = 0;
    while (slot < MAX_CONNS && conns[slot].fd >= 0) slot++;
    if (slot == MAX_CONNS) return;
    bool nonblocking = accepted % 2 == 0;
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof addr;
    int fd = accept4(LISTENER, (struct sockaddr *)&addr, &addrlen,
                     nonblocking ? SOCK_NONBLOCK : 0);
    if (fd < 0 && errno == EAGAIN && !first) return;
    CHECK(fd >= 0, "accept4 after poll said ready: %s", strerror(errno));
    check_accepted(fd, nonblocking);
    conns[slot] = (conn){.fd = fd};
    accepted++;
  }
}

static void finish(conn *c) {
  if (c->mode == 'E' || c->mode == 'P')
    CHECK_OK(shutdown(c->fd, SHUT_WR));
  CHECK_OK(close(c->fd));
  c->fd = -1;
  served++;
}

/* P: subscribed for writing, then for reading, a socket with nothing to
 * read reports only that it is writable (both directions share one host
 * watch in wrun's poll_oneoff). */
static void check_poll_directions(conn *c) {
  CHECK(c->len == 1, "P: %zu bytes at once", c->len);
  struct pollfd p[2] = {{.fd = c->fd, .events = POLLOUT},
                        {.fd = c->fd, .events = POLLIN}};
  int n = poll(p, 2, 5000);
  CHECK(n == 1 && p[0].revents == POLLOUT && p[1].revents == 0,
        "poll: %d ready, revents %d and %d", n, p[0].revents, p[1].revents);
}

static void on_readable(conn *c) {
  ssize_t got;
  bool use_recv = c->mode != 'F';
  if (use_recv)
    got = recv(c->fd, c->buf + c->len, BUF_SIZE - c->len, 0);
  else
    got = read(c->fd, c->buf + c->len, BUF_SIZE - c->len);
  if (got < 0 && errno == EAGAIN) return;
  CHECK(got >= 0, "%s: %s", use_recv ? "recv" : "read", strerror(errno));
  if (got == 0) {
    c->eof = true;
    return;
  }
  c->len += (size_t)got;
  if (c->mode == 0) {
    c->mode = c->buf[0];
    CHECK(c->mode && strchr("EFPRW", c->mode), "unknown mode byte %d",
          c->mode);
    if (c->mode == 'P') check_poll_directions(c);
  }
}

/* R and W: write until the client's reset stops it. */
static void flood(conn *c) {
  static char junk[BUF_SIZE];
  ssize_t put = c->mode == 'R' ? send(c->fd, junk, sizeof junk, 0)
                               : write(c->fd, junk, sizeof junk);
  if (put >= 0 || errno == EAGAIN) return;
  CHECK(errno == EPIPE || errno == ECONNRESET,
        "writing to a reset connection: %s", strerror(errno));
  /* The reset is reported once; what follows is EPIPE, the error that
   * comes with SIGPIPE unless the host asks for none. */
  put = c->mode == 'R' ? send(c->fd, junk, 1, 0) : write(c->fd, junk, 1);
  CHECK(put < 0 && errno == EPIPE, "writing again after the reset: %s",
        put < 0 ? strerror(errno) : "no error");
  resets++;
  CHECK_OK(close(c->fd));
  c->fd = -1;
  served++;
}

static void on_writable(conn *c) {
  ssize_t put = c->mode == 'F'
                    ? write(c->fd, c->buf + c->off, c->len - c->off)
                    : send(c->fd, c->buf + c->off, c->len - c->off, 0);
  if (put < 0 && errno == EAGAIN) return;
  CHECK(put > 0, "echo: %s", strerror(errno));
  c->off += (size_t)put;
  if (c->off == c->len) c->off = c->len = 0;
}

static bool flooding(const conn *c) {
  return c->mode == 'R' || c->mode == 'W';
}

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: echo_server N");
  long total = atol(argv[1]);
  CHECK(total > 0, "N must be positive");
  check_descriptors();
  for (int i = 0; i < MAX_CONNS; i++) conns[i].fd = -1;
  printf("ready\n");
  fflush(stdout);

  while (served < total) {
    struct pollfd p[MAX_CONNS + 1];
    conn *of[MAX_CONNS + 1];
    int n = 0, open = 0;
    for (int i = 0; i < MAX_CONNS; i++) {
      conn *c = &conns[i];
      if (c->fd < 0) continue;
      open++;
      short events = 0;
      if (flooding(c))
        events = POLLOUT;
      else if (c->eof && c->off == c->len)
        ; /* finished below */
      else {
        if (!c->eof && c->len < BUF_SIZE) events |= POLLIN;
        if (c->len > c->off) events |= POLLOUT;
      }
      if (!events) {
        finish(c);
        open--;
        continue;
      }
      p[n] = (struct pollfd){.fd = c->fd, .events = events};
      of[n++] = c;
    }
    if (open < MAX_CONNS && accepted < total) {
      p[n] = (struct pollfd){.fd = LISTENER, .events = POLLIN};
      of[n++] = NULL;
    }
    if (n == 0) continue; /* finished the last ones */
    int ready = poll(p, (nfds_t)n, -1);
    CHECK(ready > 0, "poll: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
      conn *c = of[i];
      short r = p[i].revents;
      if (!r) continue;
      if (!c) {
        CHECK(r & POLLIN, "listener revents %d", r);
        accept_pending();
      } else if (flooding(c)) {
        flood(c);
      } else {
        /* A hangup with data still to read shows as readable. */
        if (r & (POLLIN | POLLHUP) && !c->eof && c->len < BUF_SIZE)
          on_readable(c);
        if (r & POLLOUT && c->len > c->off) on_writable(c);
      }
    }
  }
  printf("served %ld connections: %ld echoed, %ld reset\n", served,
         served - resets, resets);
  return 0;
}
