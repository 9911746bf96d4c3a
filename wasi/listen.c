/* Listening sockets handed to the guest (wasmtime's --tcplisten): the
 * address is parsed when it is configured, the socket is made when the
 * context is.
 *
 * The socket is made with plain socket/bind/listen rather than a uv_tcp_t:
 * the fd table holds plain host fds that each call drives itself (accept4,
 * recvmsg, sendmsg), and poll_oneoff watches them on a loop of its own per
 * call. A uv_tcp_t would tie the fd to a loop that never runs, and would
 * have to be dup'ed and closed to hand the fd over. libuv parses the
 * addresses (uv_ip4_addr, uv_ip6_addr). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "wasi_internal.h"

/* The port: 1 to 5 decimal digits, at most 65535. */
static bool parse_port(const char *text, int *port) {
  size_t n = strlen(text);
  if (n == 0 || n > 5) return false;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  if (v > 65535) return false;
  *port = v;
  return true;
}

bool wasi_parse_host_port(const char *text, struct sockaddr_storage *out) {
  memset(out, 0, sizeof *out);
  const char *colon = strrchr(text, ':');
  int port;
  if (!colon || !parse_port(colon + 1, &port)) return false;
  size_t len = (size_t)(colon - text);
  /* Room for any IPv6 address with a zone ("fe80::1%eth0"). */
  char host[INET6_ADDRSTRLEN + 32];
  if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
    if (len - 2 >= sizeof host) return false;
    memcpy(host, text + 1, len - 2);
    host[len - 2] = 0;
    return uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0;
  }
  /* An IPv6 address needs its brackets: "::1:80" would be ambiguous. */
  if (len >= sizeof host || memchr(text, ':', len)) return false;
  memcpy(host, text, len);
  host[len] = 0;
  return uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0;
}

bool wrun_wasi_config_add_tcplisten(wrun_wasi_config *cfg,
                                    const char *host_port) {
  wasi_listen_cfg l;
  if (!wasi_parse_host_port(host_port, &l.addr)) return false;
  l.text = strdup(host_port);
  wasi_listen_cfg *grown =
      realloc(cfg->listens, (cfg->nlistens + 1) * sizeof *grown);
  if (!l.text || !grown) {
    free(l.text);
    if (grown) cfg->listens = grown;
    return false;
  }
  grown[cfg->nlistens++] = l;
  cfg->listens = grown;
  return true;
}

/* socket, bind, listen; -1 with errno set on failure. */
static int make_listener(const struct sockaddr_storage *addr) {
  int family = addr->ss_family;
  /* Non-blocking, as wasmtime makes it: sock_accept with nothing pending
   * is EAGAIN, and the guest waits with poll_oneoff (fdflags say so, and
   * fd_fdstat_set_flags can make it blocking). */
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in)
                                    : sizeof(struct sockaddr_in6);
  /* SO_REUSEADDR: a server run again at once can bind while connections
   * of the last run are in TIME_WAIT. IPV6_V6ONLY: "[::]:P" is the IPv6
   * address only, never IPv4 as well; the address given, nothing more. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      (family == AF_INET6 &&
       setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
      bind(fd, (const struct sockaddr *)addr, len) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

wrun_error *wasi_add_listener(wrun_wasi *w, const wasi_listen_cfg *l) {
  int fd = make_listener(&l->addr);
  if (fd < 0)
    return rt_error_new(RT_NO_OFFSET, "cannot listen on %s: %s", l->text,
                        uv_strerror(uv_translate_sys_error(errno)));
  wasi_fd e = {0};
  e.host_fd = fd;
  e.owns_host_fd = true;
  e.filetype = WASI_FILETYPE_SOCKET_STREAM;
  e.rights_base = WASI_RIGHTS_LISTENER;
  e.rights_inheriting = WASI_RIGHTS_CONNECTION;
  e.fdflags = WASI_FDFLAG_NONBLOCK;
  uint32_t num;
  if (wasi_fd_insert(w, &e, &num)) {
    close(fd);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  return NULL;
}
