/* wrun WASI preview1: attach a WASI environment to a store.
 *
 * An embedder builds a configuration (argv, environment, preopened
 * directories, stdio), then defines the WASI host functions into a linker:
 *
 *   wrun_wasi_config *cfg = wrun_wasi_config_new();
 *   wrun_wasi_config_set_argv(cfg, argc, argv);
 *   wrun_wasi_config_add_preopen(cfg, "/tmp/data", "data");
 *   wrun_wasi_config_add_tcplisten(cfg, "127.0.0.1:8080");  // optional
 *   wrun_wasi *wasi;
 *   wrun_error *err = wrun_wasi_define(linker, store, cfg, &wasi);
 *   wrun_wasi_config_delete(cfg);   // the definition keeps its own copy
 *   ... instantiate, call "_start" ...
 *   if (trap && wrun_wasi_exit_code(trap) >= 0) status = ...;
 *   wrun_wasi_delete(wasi);
 *
 * All 46 functions of "wasi_snapshot_preview1" are defined, and under
 * "wasi_unstable" every function whose ABI is the same plus fd_seek and the
 * filestat calls (their old layouts are implemented); wasi_unstable's
 * poll_oneoff (different subscription layout) is not defined.
 *
 * Every path a guest names resolves under a preopened directory; the host
 * file system outside the preopens is never reached (see wasi/path.c).
 * Sockets are only those the embedder hands in: listening sockets
 * (wrun_wasi_config_add_tcplisten), the connections the guest accepts on
 * them, and stdio fds that are sockets; the guest opens none itself.
 */
#ifndef WRUN_WASI_H
#define WRUN_WASI_H

#include <stdbool.h>
#include "wrun.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wrun_wasi_config wrun_wasi_config;
typedef struct wrun_wasi wrun_wasi;

/* A configuration with no args, no env, no preopens and inherited stdio. */
WRUN_API wrun_wasi_config *wrun_wasi_config_new(void);
WRUN_API void wrun_wasi_config_delete(wrun_wasi_config *cfg);
/* Copies argv (argv[0] is the program name the guest sees). */
WRUN_API bool wrun_wasi_config_set_argv(wrun_wasi_config *cfg, int argc,
                               const char *const *argv);
/* Adds one "NAME=VALUE" entry (copied). */
WRUN_API bool wrun_wasi_config_add_env(wrun_wasi_config *cfg, const char *name_value);
/* Preopens host_dir under guest_name (both copied). Preopens become guest
 * fds 3, 4, ... in the order they were added. */
WRUN_API bool wrun_wasi_config_add_preopen(wrun_wasi_config *cfg, const char *host_dir,
                                  const char *guest_name);
/* Listens on host_port, "HOST:PORT", and hands the listening socket to the
 * guest, as wasmtime's --tcplisten: HOST is a numeric IPv4 address or an
 * IPv6 address in brackets ("127.0.0.1:8080", "[::1]:8080"; names are not
 * looked up), bound alone ("[::]" is IPv6 only); PORT 0 lets the kernel
 * pick one. Returns false when host_port is not of that form (or on out of
 * memory). The socket is made by wrun_wasi_define, whose error says when
 * it cannot be bound. Listening sockets become the guest fds after the
 * preopened directories, in the order they were added: filetype
 * SOCKET_STREAM, rights sock_accept and poll, fdflags NONBLOCK (sock_accept
 * with no connection pending is EAGAIN; poll_oneoff FD_READ waits for
 * one). */
WRUN_API bool wrun_wasi_config_add_tcplisten(wrun_wasi_config *cfg,
                                    const char *host_port);
/* Guest fd 0, 1 or 2 uses host_fd (not closed by wrun), or the process's own
 * fd of that number when host_fd is -1 (the default). */
WRUN_API bool wrun_wasi_config_set_stdio(wrun_wasi_config *cfg, int guest_fd,
                                int host_fd);

/* Defines the WASI functions into l, for calls made in store s. Opens the
 * preopened directories now: a missing directory is an error. *out must be
 * released with wrun_wasi_delete (in any order with the store). */
WRUN_API wrun_error *wrun_wasi_define(wrun_linker *l, wrun_store *s,
                             const wrun_wasi_config *cfg, wrun_wasi **out);
WRUN_API void wrun_wasi_delete(wrun_wasi *wasi);

/* ---- wasi-threads -----------------------------------------------------
 * Defines "wasi" "thread-spawn" (param i32) (result i32) into l, as
 * wasmtime's `-S threads`: each spawn makes a new store from s's engine
 * with s's limits (and, with fuel metering, the fuel s has when this is
 * called), defines into it the same WASI context (one fd table,
 * argv and environment for all threads; calls that touch the fd table
 * take a lock) and `memory` at m's first memory import, instantiates m
 * there and calls its export wasi_thread_start(tid, start_arg) on a new
 * thread. thread-spawn returns the thread id (1 to 0x1FFFFFFF), or -1
 * when the thread cannot be made (memory NULL, ids used up, no thread,
 * instantiation failed, no wasi_thread_start of type (i32 i32) -> ()).
 *
 * Call it after wrun_wasi_define and before instantiating m in s. memory
 * is the shared memory m imports (wrun_memory_new_shared from the
 * import's limits, wrun_module_import_memory_shared); m, the engine and
 * the embedder's handles must stay alive while threads run
 * (wrun_wasi_thread_count).
 *
 * When wasi_thread_start traps or calls proc_exit, on_end(env, trap) is
 * called on that thread and owns the trap (wrun_trap_delete it). The
 * proposal has that end every thread: `wrun` prints the trap, or takes
 * the exit code, and exits the process. With on_end NULL the trap is
 * deleted and only that thread ends. A trap of the thread that called
 * _start comes out of its wrun_func_call as ever. */
typedef void (*wrun_wasi_thread_end)(void *env, wrun_trap *trap);
WRUN_API wrun_error *wrun_wasi_define_threads(wrun_linker *l, wrun_store *s,
                                     wrun_wasi *wasi, const wrun_module *m,
                                     wrun_memory *memory,
                                     wrun_wasi_thread_end on_end, void *env);
/* Spawned threads that have not ended yet. */
WRUN_API size_t wrun_wasi_thread_count(const wrun_wasi *wasi);

/* The exit code carried by a proc_exit trap, or -1 if t is another trap. */
WRUN_API int wrun_wasi_exit_code(const wrun_trap *t);

#ifdef __cplusplus
}
#endif
#endif
