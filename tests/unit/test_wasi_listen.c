/* --tcplisten addresses (wasi/listen.c): what HOST:PORT parses to, what
 * it refuses, and the listening socket wrun_wasi_define makes (or the
 * error it gives for a port in use). The sockets in use are in
 * tests/wasi/sockets.py. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../wasi/wasi_internal.h"

static void expect_ipv4(const char *text, const char *ip, int port) {
  struct sockaddr_storage ss;
  cr_assert(wasi_parse_host_port(text, &ss), "%s refused", text);
  const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
  cr_assert_eq(in->sin_family, AF_INET, "%s: not IPv4", text);
  cr_assert_eq(ntohs(in->sin_port), port, "%s: port %d", text,
               ntohs(in->sin_port));
  char got[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &in->sin_addr, got, sizeof got);
  cr_assert_str_eq(got, ip, "%s: address %s", text, got);
}

static void expect_ipv6(const char *text, const char *ip, int port) {
  struct sockaddr_storage ss;
  cr_assert(wasi_parse_host_port(text, &ss), "%s refused", text);
  const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
  cr_assert_eq(in6->sin6_family, AF_INET6, "%s: not IPv6", text);
  cr_assert_eq(ntohs(in6->sin6_port), port, "%s: port", text);
  char got[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &in6->sin6_addr, got, sizeof got);
  cr_assert_str_eq(got, ip, "%s: address %s", text, got);
}

Test(wasi_listen, parses_numeric_addresses) {
  expect_ipv4("127.0.0.1:8080", "127.0.0.1", 8080);
  expect_ipv4("0.0.0.0:0", "0.0.0.0", 0);
  expect_ipv4("10.1.2.3:65535", "10.1.2.3", 65535);
  expect_ipv4("127.0.0.1:00080", "127.0.0.1", 80);
  expect_ipv6("[::1]:80", "::1", 80);
  expect_ipv6("[::]:0", "::", 0);
  expect_ipv6("[2001:db8::7]:443", "2001:db8::7", 443);
}

Test(wasi_listen, refuses_what_is_not_host_port) {
  static const char *const bad[] = {
      "", ":", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536",
      "127.0.0.1:100000", "127.0.0.1:-1", "127.0.0.1:+1", "127.0.0.1: 80",
      "127.0.0.1:8x", "localhost:80", "1.2.3:80", "256.0.0.1:80",
      "127.0.0.1 :80", "::1:80", "[::1]", "[::1:80", "::1]:80",
      "[127.0.0.1]:80", "[]:80", "[::1]x:80",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct sockaddr_storage ss;
    cr_expect(!wasi_parse_host_port(bad[i], &ss), "\"%s\" accepted", bad[i]);
  }
}

Test(wasi_listen, config_keeps_only_good_addresses) {
  wrun_wasi_config *cfg = wrun_wasi_config_new();
  cr_assert(cfg);
  cr_expect(wrun_wasi_config_add_tcplisten(cfg, "127.0.0.1:0"));
  cr_expect(!wrun_wasi_config_add_tcplisten(cfg, "127.0.0.1"));
  cr_expect(wrun_wasi_config_add_tcplisten(cfg, "127.0.0.1:0"));
  cr_expect_eq(cfg->nlistens, 2);
  wrun_wasi_config_delete(cfg);
}

/* wrun_wasi_define with one listener: the guest fd after stdio and the
 * preopen is a non-blocking listening socket on the address given. */
Test(wasi_listen, define_makes_the_listener_after_the_preopens) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *store = wrun_store_new(engine);
  wrun_linker *linker = wrun_linker_new(store);
  wrun_wasi_config *cfg = wrun_wasi_config_new();
  cr_assert(engine && store && linker && cfg);
  cr_assert(wrun_wasi_config_add_preopen(cfg, "/", "/"));
  cr_assert(wrun_wasi_config_add_tcplisten(cfg, "127.0.0.1:0"));
  wrun_wasi *wasi;
  wrun_error *err = wrun_wasi_define(linker, store, cfg, &wasi);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wasi_fd *f = wasi_fd_get(wasi, 4);
  cr_assert(f, "no fd 4");
  cr_expect_eq(f->filetype, WASI_FILETYPE_SOCKET_STREAM);
  cr_expect(f->rights_base & WASI_RIGHT_SOCK_ACCEPT);
  cr_expect(!(f->rights_base & WASI_RIGHT_FD_READ));
  cr_expect(f->fdflags & WASI_FDFLAG_NONBLOCK);
  cr_expect_null(wasi_fd_get(wasi, 5));
  int accepting = 0;
  socklen_t len = sizeof accepting;
  cr_expect_eq(getsockopt(f->host_fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting,
                          &len), 0);
  cr_expect(accepting, "not listening");
  struct sockaddr_in addr;
  len = sizeof addr;
  cr_assert_eq(getsockname(f->host_fd, (struct sockaddr *)&addr, &len), 0);
  cr_expect_eq(addr.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  cr_expect_neq(addr.sin_port, 0, "port 0 was not given a port");
  wrun_wasi_delete(wasi);
  wrun_wasi_config_delete(cfg);
  wrun_linker_delete(linker);
  wrun_store_delete(store);
  wrun_engine_delete(engine);
}

Test(wasi_listen, define_reports_a_port_in_use) {
  int taken = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  cr_assert(taken >= 0 &&
            bind(taken, (struct sockaddr *)&addr, sizeof addr) == 0 &&
            listen(taken, 1) == 0 &&
            getsockname(taken, (struct sockaddr *)&addr, &len) == 0);
  char text[32], want[96];
  snprintf(text, sizeof text, "127.0.0.1:%d", ntohs(addr.sin_port));
  snprintf(want, sizeof want, "cannot listen on %s: address already in use",
           text);

  wrun_engine *engine = wrun_engine_new();
  wrun_store *store = wrun_store_new(engine);
  wrun_linker *linker = wrun_linker_new(store);
  wrun_wasi_config *cfg = wrun_wasi_config_new();
  cr_assert(wrun_wasi_config_add_tcplisten(cfg, text));
  wrun_wasi *wasi = (wrun_wasi *)1;
  wrun_error *err = wrun_wasi_define(linker, store, cfg, &wasi);
  cr_assert(err, "a port in use was bound");
  cr_expect_str_eq(wrun_error_message(err), want);
  cr_expect_null(wasi);
  wrun_error_delete(err);
  wrun_wasi_config_delete(cfg);
  wrun_linker_delete(linker);
  wrun_store_delete(store);
  wrun_engine_delete(engine);
  close(taken);
}
