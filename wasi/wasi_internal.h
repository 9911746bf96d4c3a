/* WASI preview1: private types shared by the wasi/ files.
 *
 * Layout facts (struct offsets, flag bits, errno numbers) follow the
 * preview1 witx definitions. Only the public libwrun API is used to reach
 * the guest: its memory comes from wrun_caller_memory, and every pointer and
 * length is checked against the memory size before use.
 */
#ifndef WASI_INTERNAL_H
#define WASI_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "wrun.h"
#include "wrun_wasi.h"

/* ---- errno ------------------------------------------------------------- */
enum {
  WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EADDRINUSE = 3,
  WASI_EADDRNOTAVAIL = 4, WASI_EAFNOSUPPORT = 5, WASI_EAGAIN = 6,
  WASI_EALREADY = 7, WASI_EBADF = 8, WASI_EBADMSG = 9, WASI_EBUSY = 10,
  WASI_ECANCELED = 11, WASI_ECHILD = 12, WASI_ECONNABORTED = 13,
  WASI_ECONNREFUSED = 14, WASI_ECONNRESET = 15, WASI_EDEADLK = 16,
  WASI_EDESTADDRREQ = 17, WASI_EDOM = 18, WASI_EDQUOT = 19, WASI_EEXIST = 20,
  WASI_EFAULT = 21, WASI_EFBIG = 22, WASI_EHOSTUNREACH = 23, WASI_EIDRM = 24,
  WASI_EILSEQ = 25, WASI_EINPROGRESS = 26, WASI_EINTR = 27, WASI_EINVAL = 28,
  WASI_EIO = 29, WASI_EISCONN = 30, WASI_EISDIR = 31, WASI_ELOOP = 32,
  WASI_EMFILE = 33, WASI_EMLINK = 34, WASI_EMSGSIZE = 35, WASI_EMULTIHOP = 36,
  WASI_ENAMETOOLONG = 37, WASI_ENETDOWN = 38, WASI_ENETRESET = 39,
  WASI_ENETUNREACH = 40, WASI_ENFILE = 41, WASI_ENOBUFS = 42,
  WASI_ENODEV = 43, WASI_ENOENT = 44, WASI_ENOEXEC = 45, WASI_ENOLCK = 46,
  WASI_ENOLINK = 47, WASI_ENOMEM = 48, WASI_ENOMSG = 49,
  WASI_ENOPROTOOPT = 50, WASI_ENOSPC = 51, WASI_ENOSYS = 52,
  WASI_ENOTCONN = 53, WASI_ENOTDIR = 54, WASI_ENOTEMPTY = 55,
  WASI_ENOTRECOVERABLE = 56, WASI_ENOTSOCK = 57, WASI_ENOTSUP = 58,
  WASI_ENOTTY = 59, WASI_ENXIO = 60, WASI_EOVERFLOW = 61,
  WASI_EOWNERDEAD = 62, WASI_EPERM = 63, WASI_EPIPE = 64, WASI_EPROTO = 65,
  WASI_EPROTONOSUPPORT = 66, WASI_EPROTOTYPE = 67, WASI_ERANGE = 68,
  WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ESRCH = 71, WASI_ESTALE = 72,
  WASI_ETIMEDOUT = 73, WASI_ETXTBSY = 74, WASI_EXDEV = 75,
  WASI_ENOTCAPABLE = 76,
};

/* Host errno (positive, as in <errno.h>) to WASI errno; unknown -> EIO. */
uint16_t wasi_errno_from_host(int host_errno);
/* A libuv result (negative errno on failure) to WASI errno. */
static inline uint16_t wasi_errno_from_uv(int r) {
  return r >= 0 ? WASI_ESUCCESS : wasi_errno_from_host(-r);
}

/* ---- flags and types --------------------------------------------------- */
enum {
  WASI_FILETYPE_UNKNOWN = 0, WASI_FILETYPE_BLOCK_DEVICE = 1,
  WASI_FILETYPE_CHARACTER_DEVICE = 2, WASI_FILETYPE_DIRECTORY = 3,
  WASI_FILETYPE_REGULAR_FILE = 4, WASI_FILETYPE_SOCKET_DGRAM = 5,
  WASI_FILETYPE_SOCKET_STREAM = 6, WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

#define WASI_RIGHT(n) ((uint64_t)1 << (n))
#define WASI_RIGHT_FD_DATASYNC WASI_RIGHT(0)
#define WASI_RIGHT_FD_READ WASI_RIGHT(1)
#define WASI_RIGHT_FD_SEEK WASI_RIGHT(2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS WASI_RIGHT(3)
#define WASI_RIGHT_FD_SYNC WASI_RIGHT(4)
#define WASI_RIGHT_FD_TELL WASI_RIGHT(5)
#define WASI_RIGHT_FD_WRITE WASI_RIGHT(6)
#define WASI_RIGHT_FD_ADVISE WASI_RIGHT(7)
#define WASI_RIGHT_FD_ALLOCATE WASI_RIGHT(8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY WASI_RIGHT(9)
#define WASI_RIGHT_PATH_CREATE_FILE WASI_RIGHT(10)
#define WASI_RIGHT_PATH_LINK_SOURCE WASI_RIGHT(11)
#define WASI_RIGHT_PATH_LINK_TARGET WASI_RIGHT(12)
#define WASI_RIGHT_PATH_OPEN WASI_RIGHT(13)
#define WASI_RIGHT_FD_READDIR WASI_RIGHT(14)
#define WASI_RIGHT_PATH_READLINK WASI_RIGHT(15)
#define WASI_RIGHT_PATH_RENAME_SOURCE WASI_RIGHT(16)
#define WASI_RIGHT_PATH_RENAME_TARGET WASI_RIGHT(17)
#define WASI_RIGHT_PATH_FILESTAT_GET WASI_RIGHT(18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE WASI_RIGHT(19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES WASI_RIGHT(20)
#define WASI_RIGHT_FD_FILESTAT_GET WASI_RIGHT(21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE WASI_RIGHT(22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES WASI_RIGHT(23)
#define WASI_RIGHT_PATH_SYMLINK WASI_RIGHT(24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY WASI_RIGHT(25)
#define WASI_RIGHT_PATH_UNLINK_FILE WASI_RIGHT(26)
#define WASI_RIGHT_POLL_FD_READWRITE WASI_RIGHT(27)
#define WASI_RIGHT_SOCK_SHUTDOWN WASI_RIGHT(28)
#define WASI_RIGHT_SOCK_ACCEPT WASI_RIGHT(29)
#define WASI_RIGHTS_ALL (WASI_RIGHT(30) - 1)

/* What an fd of each kind can ever do. */
#define WASI_RIGHTS_REGULAR_FILE                                              \
  (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |         \
   WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |  \
   WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |      \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |             \
   WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIRECTORY                                                 \
  (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                      \
   WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ADVISE |                            \
   WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |           \
   WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |                \
   WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK |  \
   WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |            \
   WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |         \
   WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_GET |          \
   WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |               \
   WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |           \
   WASI_RIGHT_POLL_FD_READWRITE)
/* Terminals, pipes and sockets: a stream, no seeking. */
#define WASI_RIGHTS_STREAM                                                    \
  (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE |                \
   WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC)
#define WASI_RIGHTS_SOCKET                                                    \
  (WASI_RIGHTS_STREAM | WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT)
/* A connection sock_accept made: a stream that can be shut down. These are
 * also the inheriting rights of every socket, the most an accepted
 * connection can get. */
#define WASI_RIGHTS_CONNECTION (WASI_RIGHTS_STREAM | WASI_RIGHT_SOCK_SHUTDOWN)
/* A --tcplisten socket: it accepts and is waited on; reading, writing and
 * shutting down belong to the connections it accepts. */
#define WASI_RIGHTS_LISTENER                                                  \
  (WASI_RIGHT_SOCK_ACCEPT | WASI_RIGHT_POLL_FD_READWRITE |                    \
   WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET)

enum { WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4,
       WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16 };
enum { WASI_OFLAG_CREAT = 1, WASI_OFLAG_DIRECTORY = 2, WASI_OFLAG_EXCL = 4,
       WASI_OFLAG_TRUNC = 8 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4,
       WASI_FST_MTIM_NOW = 8 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };

/* ---- guest memory ------------------------------------------------------ */
typedef struct wasi_mem {
  uint8_t *base;
  uint64_t size;
} wasi_mem;

/* True when [ptr, ptr+len) lies inside the memory. */
static inline bool wasi_mem_ok(const wasi_mem *m, uint32_t ptr, uint64_t len) {
  return (uint64_t)ptr + len <= m->size;
}
/* Little-endian, unaligned accessors; callers check bounds first. */
static inline void wasi_put_u8(wasi_mem *m, uint32_t p, uint8_t v) {
  m->base[p] = v;
}
static inline void wasi_put_u16(wasi_mem *m, uint32_t p, uint16_t v) {
  m->base[p] = (uint8_t)v;
  m->base[p + 1] = (uint8_t)(v >> 8);
}
static inline void wasi_put_u32(wasi_mem *m, uint32_t p, uint32_t v) {
  for (int i = 0; i < 4; i++) m->base[p + i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_put_u64(wasi_mem *m, uint32_t p, uint64_t v) {
  for (int i = 0; i < 8; i++) m->base[p + i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t wasi_get_u16(const wasi_mem *m, uint32_t p) {
  return (uint16_t)(m->base[p] | (m->base[p + 1] << 8));
}
static inline uint32_t wasi_get_u32(const wasi_mem *m, uint32_t p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | m->base[p + i];
  return v;
}
static inline uint64_t wasi_get_u64(const wasi_mem *m, uint32_t p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | m->base[p + i];
  return v;
}

/* Store a result only if it fits; EFAULT otherwise. */
#define WASI_PUT_CHECKED(mem, ptr, size, bits, value)                         \
  do {                                                                        \
    if (!wasi_mem_ok((mem), (ptr), (size))) return WASI_EFAULT;               \
    wasi_put_u##bits((mem), (ptr), (value));                                  \
  } while (0)

/* ---- fd table ---------------------------------------------------------- */
typedef struct wasi_dirent_cache {
  size_t count;
  char **names;
  uint8_t *types;
  uint64_t *inodes;
} wasi_dirent_cache;

typedef struct wasi_fd {
  bool used;
  uint8_t filetype;
  int host_fd;         /* -1 when none */
  bool owns_host_fd;   /* close host_fd when the guest closes the fd */
  char *host_path;     /* for directories (and files opened by path) */
  char *preopen_name;  /* guest name when this is a preopen, else NULL */
  uint64_t rights_base, rights_inheriting;
  uint16_t fdflags;
  wasi_dirent_cache dir; /* fd_readdir listing, refreshed at cookie 0 */
} wasi_fd;

typedef struct wasi_stdio_cfg { int host_fd; } wasi_stdio_cfg;

/* A listening socket to make (wrun_wasi_config_add_tcplisten): the address
 * is parsed when it is added, bound by wrun_wasi_define. */
typedef struct wasi_listen_cfg {
  char *text; /* HOST:PORT as given, for error messages */
  struct sockaddr_storage addr;
} wasi_listen_cfg;

struct wrun_wasi_config {
  char **argv;
  size_t argc;
  char **env;
  size_t envc;
  char **preopen_host, **preopen_guest;
  size_t npreopens;
  int stdio[3]; /* host fds, -1 = inherit */
  wasi_listen_cfg *listens;
  size_t nlistens;
};

typedef struct wasi_threads wasi_threads;

struct wrun_wasi {
  /* Low 32 bits: references, one for the embedder, one per defined host
   * function (those of a wasi-threads thread's store are finalized on that
   * thread) and one per running thread. High 32 bits: the running
   * threads. A thread ends both with one atomic step (WASI_THREAD_REF),
   * its last touch of the context: so once none runs
   * (wrun_wasi_thread_count), the embedder may tear everything down and
   * its own last reference frees the context, never a thread's. */
  _Atomic uint64_t refs;
  /* Held by every call that reads or changes the fd table or the loop:
   * with wasi-threads, calls come from several threads at once. Calls on
   * immutable state (args, env), clocks and random numbers go without;
   * poll_oneoff takes it only to look up its fds (it may sleep). */
  uv_mutex_t lock;
  char **argv;
  size_t argc;
  char **env;
  size_t envc;
  wasi_fd *fds;
  size_t nfds;
  uv_loop_t loop;
  bool loop_ready;
  void *bindings; /* blocks of them, one block per defining store (ctx.c) */
  wasi_threads *threads; /* wasi-threads, when defined (threads.c) */
};

static inline void wasi_lock(wrun_wasi *w) { uv_mutex_lock(&w->lock); }
static inline void wasi_unlock(wrun_wasi *w) { uv_mutex_unlock(&w->lock); }

/* Defines the WASI functions of w into l for store s (and, when w has
 * wasi-threads, "wasi" "thread-spawn"): the main store, then the store of
 * every spawned thread. */
wrun_error *wasi_define_into(wrun_linker *l, wrun_store *s, wrun_wasi *w);
/* Drops a reference taken by a definition or a thread (frees w with the
 * last one). */
#define WASI_REF 1ull
#define WASI_THREAD_REF ((1ull << 32) | WASI_REF)
void wasi_unref(wrun_wasi *w);
/* Drops `what` (WASI_REF or WASI_THREAD_REF); the last reference frees. */
void wasi_release(wrun_wasi *w, uint64_t what);

/* ---- wasi-threads (wasi/threads.c) -------------------------------------- */
/* Defines "wasi" "thread-spawn" for store s into l. */
wrun_error *wasi_threads_define(wrun_linker *l, wrun_store *s, wrun_wasi *w);
void wasi_threads_free(wasi_threads *t);

/* Returns the fd entry, or NULL if fd is not open. */
wasi_fd *wasi_fd_get(wrun_wasi *w, uint32_t fd);
/* Looks up fd and checks it has every right in `rights`: returns 0, EBADF
 * or ENOTCAPABLE. */
uint16_t wasi_fd_check(wrun_wasi *w, uint32_t fd, uint64_t rights,
                       wasi_fd **out);
/* Adds an entry at the lowest free number; EMFILE/ENOMEM on failure. */
uint16_t wasi_fd_insert(wrun_wasi *w, const wasi_fd *entry, uint32_t *out);
/* Releases an entry's resources (closes the host fd if owned). */
void wasi_fd_release(wasi_fd *f);
void wasi_dirent_cache_clear(wasi_dirent_cache *c);
/* ---- listening sockets (wasi/listen.c) --------------------------------- */
/* Parses HOST:PORT (a numeric IPv4 address, or an IPv6 one in brackets;
 * a port from 0 to 65535) into *out; false if it is not of that form. */
bool wasi_parse_host_port(const char *text, struct sockaddr_storage *out);
/* Makes the listening socket of l and gives it the next free guest fd. */
wrun_error *wasi_add_listener(wrun_wasi *w, const wasi_listen_cfg *l);

/* The lazily created loop for poll_oneoff and uv_fs_* requests. */
uv_loop_t *wasi_loop(wrun_wasi *w);
/* WASI filetype of a stat result's mode bits. */
uint8_t wasi_filetype_of_mode(uint64_t mode);
/* Rights an fd of that type can have. */
uint64_t wasi_rights_for_type(uint8_t filetype);

/* ---- paths (wasi/path.c) ---------------------------------------------- */
typedef enum wasi_node_kind {
  WASI_NODE_MISSING,
  WASI_NODE_DIR,
  WASI_NODE_SYMLINK,
  WASI_NODE_OTHER,
} wasi_node_kind;

/* Looks at `rel` (relative to the starting directory, "a/b", never empty):
 * sets its kind and, for a symlink, *target (malloc'd). Returns a WASI
 * errno for failures other than "missing". */
typedef uint16_t (*wasi_lookup_fn)(void *ctx, const char *rel,
                                   wasi_node_kind *kind, char **target);

#define WASI_MAX_SYMLINKS 32
#define WASI_PATH_MAX 4096

/* Resolves a guest path relative to a directory without ever leaving it:
 * absolute paths, `..` above the start and symlinks whose (absolute or
 * climbing) target would leave are refused with ENOTCAPABLE; too many
 * symlinks give ELOOP. Symlinks are expanded through `lookup` at every
 * component except the last one unless follow_last. On success *out_rel is
 * a malloc'd relative path ("." for the directory itself) with a trailing
 * "/" kept when the guest path had one. */
uint16_t wasi_path_resolve(const char *path, size_t len, bool follow_last,
                           wasi_lookup_fn lookup, void *ctx, char **out_rel);

/* Reads the guest path at (ptr, len), resolves it under directory fd
 * `dirfd` (which needs `rights`) and gives the host path (malloc'd). */
uint16_t wasi_resolve_at(wrun_wasi *w, wasi_mem *m, uint32_t dirfd,
                         uint64_t rights, uint32_t path_ptr,
                         uint32_t path_len, bool follow_last,
                         char **host_path, wasi_fd **dir);
/* Joins a directory host path and a relative path (malloc'd, or NULL). */
char *wasi_path_join(const char *dir, const char *rel);

/* ---- calls ------------------------------------------------------------- */
typedef struct wasi_call {
  wrun_wasi *w;
  wasi_mem mem;
  const wrun_val *args;
  wrun_trap *trap; /* set by proc_exit */
  bool unstable;   /* called through "wasi_unstable" */
} wasi_call;

static inline uint32_t wasi_arg32(const wasi_call *c, int i) {
  return (uint32_t)c->args[i].of.i32;
}
static inline uint64_t wasi_arg64(const wasi_call *c, int i) {
  return (uint64_t)c->args[i].of.i64;
}

typedef uint16_t (*wasi_handler)(wasi_call *c);

#define WASI_HANDLERS(X)                                                      \
  X(args_get) X(args_sizes_get) X(environ_get) X(environ_sizes_get)           \
  X(clock_res_get) X(clock_time_get) X(fd_advise) X(fd_allocate) X(fd_close)  \
  X(fd_datasync) X(fd_fdstat_get) X(fd_fdstat_set_flags)                      \
  X(fd_fdstat_set_rights) X(fd_filestat_get) X(fd_filestat_set_size)          \
  X(fd_filestat_set_times) X(fd_pread) X(fd_prestat_get)                      \
  X(fd_prestat_dir_name) X(fd_pwrite) X(fd_read) X(fd_readdir)                \
  X(fd_renumber) X(fd_seek) X(fd_sync) X(fd_tell) X(fd_write)                 \
  X(path_create_directory) X(path_filestat_get) X(path_filestat_set_times)    \
  X(path_link) X(path_open) X(path_readlink) X(path_remove_directory)         \
  X(path_rename) X(path_symlink) X(path_unlink_file) X(poll_oneoff)           \
  X(proc_exit) X(proc_raise) X(sched_yield) X(random_get) X(sock_accept)      \
  X(sock_recv) X(sock_send) X(sock_shutdown)

#define WASI_DECLARE(name) uint16_t wasi_##name(wasi_call *c);
WASI_HANDLERS(WASI_DECLARE)
#undef WASI_DECLARE

/* Writes a filestat (preview1 layout, or wasi_unstable's with a u32 nlink)
 * from a libuv stat. Checks bounds. */
uint16_t wasi_put_filestat(wasi_call *c, uint32_t ptr, const uv_stat_t *st);
/* Converts a uv timespec to nanoseconds. */
uint64_t wasi_timespec_ns(uv_timespec_t ts);
/* Applies fst_flags times to a host path (or fd when path is NULL). */
uint16_t wasi_set_times(wrun_wasi *w, int host_fd, const char *path,
                        bool follow, uint64_t atim, uint64_t mtim,
                        uint16_t fst);
/* Monotonic/realtime clock read in ns; EINVAL for unknown clocks. */
uint16_t wasi_clock_now(uint32_t clock_id, uint64_t *ns);

#endif
