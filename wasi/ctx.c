/* WASI context: configuration, the fd table (stdio and preopens), and the
 * definition of every host function into a linker. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "wasi_internal.h"

/* ---- configuration ----------------------------------------------------- */

wrun_wasi_config *wrun_wasi_config_new(void) {
  wrun_wasi_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) return NULL;
  for (int i = 0; i < 3; i++) cfg->stdio[i] = -1;
  return cfg;
}

static void free_strings(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void wrun_wasi_config_delete(wrun_wasi_config *cfg) {
  if (!cfg) return;
  free_strings(cfg->argv, cfg->argc);
  free_strings(cfg->env, cfg->envc);
  free_strings(cfg->preopen_host, cfg->npreopens);
  free_strings(cfg->preopen_guest, cfg->npreopens);
  for (size_t i = 0; i < cfg->nlistens; i++) free(cfg->listens[i].text);
  free(cfg->listens);
  free(cfg);
}

/* Appends a copy of s to *v (length *n). */
static bool push_string(char ***v, size_t *n, const char *s) {
  char *copy = strdup(s);
  char **grown = realloc(*v, (*n + 1) * sizeof **v);
  if (!copy || !grown) {
    free(copy);
    if (grown) *v = grown;
    return false;
  }
  grown[(*n)++] = copy;
  *v = grown;
  return true;
}

/* Deep copy of a string vector. */
static bool copy_strings(char **from, size_t n, char ***to) {
  *to = NULL;
  size_t have = 0;
  for (size_t i = 0; i < n; i++) {
    if (!push_string(to, &have, from[i])) {
      free_strings(*to, have);
      *to = NULL;
      return false;
    }
  }
  return true;
}

bool wrun_wasi_config_set_argv(wrun_wasi_config *cfg, int argc,
                               const char *const *argv) {
  free_strings(cfg->argv, cfg->argc);
  cfg->argv = NULL;
  cfg->argc = 0;
  for (int i = 0; i < argc; i++)
    if (!push_string(&cfg->argv, &cfg->argc, argv[i])) return false;
  return true;
}

bool wrun_wasi_config_add_env(wrun_wasi_config *cfg, const char *name_value) {
  return push_string(&cfg->env, &cfg->envc, name_value);
}

bool wrun_wasi_config_add_preopen(wrun_wasi_config *cfg, const char *host_dir,
                                  const char *guest_name) {
  size_t n = cfg->npreopens;
  if (!push_string(&cfg->preopen_host, &n, host_dir)) return false;
  n = cfg->npreopens;
  if (!push_string(&cfg->preopen_guest, &n, guest_name)) {
    free(cfg->preopen_host[cfg->npreopens]);
    return false;
  }
  cfg->npreopens = n;
  return true;
}

bool wrun_wasi_config_set_stdio(wrun_wasi_config *cfg, int guest_fd,
                                int host_fd) {
  if (guest_fd < 0 || guest_fd > 2 || host_fd < -1) return false;
  cfg->stdio[guest_fd] = host_fd;
  return true;
}

/* ---- fd table ---------------------------------------------------------- */

uint8_t wasi_filetype_of_mode(uint64_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
  case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
  case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
  case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
  case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
  case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
  default: return WASI_FILETYPE_UNKNOWN; /* pipes among them */
  }
}

uint64_t wasi_rights_for_type(uint8_t filetype) {
  switch (filetype) {
  case WASI_FILETYPE_REGULAR_FILE:
  case WASI_FILETYPE_BLOCK_DEVICE: return WASI_RIGHTS_REGULAR_FILE;
  case WASI_FILETYPE_DIRECTORY: return WASI_RIGHTS_DIRECTORY;
  case WASI_FILETYPE_SOCKET_STREAM:
  case WASI_FILETYPE_SOCKET_DGRAM: return WASI_RIGHTS_SOCKET;
  default: return WASI_RIGHTS_STREAM;
  }
}

wasi_fd *wasi_fd_get(wrun_wasi *w, uint32_t fd) {
  if (fd >= w->nfds || !w->fds[fd].used) return NULL;
  return &w->fds[fd];
}

uint16_t wasi_fd_check(wrun_wasi *w, uint32_t fd, uint64_t rights,
                       wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(w, fd);
  if (!f) return WASI_EBADF;
  if ((f->rights_base & rights) != rights) return WASI_ENOTCAPABLE;
  *out = f;
  return WASI_ESUCCESS;
}

/* Guest fds stay below this; a guest cannot make the table grow forever. */
#define WASI_MAX_FDS 65536

uint16_t wasi_fd_insert(wrun_wasi *w, const wasi_fd *entry, uint32_t *out) {
  size_t i = 0;
  while (i < w->nfds && w->fds[i].used) i++;
  if (i == w->nfds) {
    if (w->nfds >= WASI_MAX_FDS) return WASI_EMFILE;
    size_t n = w->nfds ? w->nfds * 2 : 8;
    wasi_fd *grown = realloc(w->fds, n * sizeof *grown);
    if (!grown) return WASI_ENOMEM;
    memset(grown + w->nfds, 0, (n - w->nfds) * sizeof *grown);
    w->fds = grown;
    w->nfds = n;
  }
  w->fds[i] = *entry;
  w->fds[i].used = true;
  *out = (uint32_t)i;
  return WASI_ESUCCESS;
}

void wasi_dirent_cache_clear(wasi_dirent_cache *c) {
  for (size_t i = 0; i < c->count; i++) free(c->names[i]);
  free(c->names);
  free(c->types);
  free(c->inodes);
  memset(c, 0, sizeof *c);
}

void wasi_fd_release(wasi_fd *f) {
  if (f->owns_host_fd && f->host_fd >= 0) close(f->host_fd);
  free(f->host_path);
  free(f->preopen_name);
  wasi_dirent_cache_clear(&f->dir);
  memset(f, 0, sizeof *f);
  f->host_fd = -1;
}

uv_loop_t *wasi_loop(wrun_wasi *w) {
  if (!w->loop_ready) w->loop_ready = uv_loop_init(&w->loop) == 0;
  return &w->loop;
}

/* ---- building a context ------------------------------------------------ */

static uint8_t filetype_of_host_fd(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return WASI_FILETYPE_UNKNOWN;
  return wasi_filetype_of_mode(st.st_mode);
}

static bool add_stdio(wrun_wasi *w, const wrun_wasi_config *cfg) {
  for (int i = 0; i < 3; i++) {
    wasi_fd e = {0};
    e.host_fd = cfg->stdio[i] >= 0 ? cfg->stdio[i] : i;
    e.filetype = filetype_of_host_fd(e.host_fd);
    e.rights_base = wasi_rights_for_type(e.filetype);
    /* What a connection accepted on it may do (a socket only). */
    e.rights_inheriting = e.filetype == WASI_FILETYPE_SOCKET_STREAM
                              ? WASI_RIGHTS_CONNECTION
                              : 0;
    int fl = fcntl(e.host_fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) e.fdflags |= WASI_FDFLAG_APPEND;
    if (fl >= 0 && (fl & O_NONBLOCK)) e.fdflags |= WASI_FDFLAG_NONBLOCK;
    uint32_t num;
    if (wasi_fd_insert(w, &e, &num)) return false;
  }
  return true;
}

/* Opens a preopened directory; the host path is made canonical so that
 * the sandbox root itself may be reached through a symlink. */
static wrun_error *add_preopen(wrun_wasi *w, const char *host,
                               const char *guest) {
  uv_fs_t req;
  int r = uv_fs_realpath(wasi_loop(w), &req, host, NULL);
  if (r < 0) {
    uv_fs_req_cleanup(&req);
    return rt_error_new(RT_NO_OFFSET, "cannot preopen %s: %s", host,
                        uv_strerror(r));
  }
  char *real = strdup((const char *)req.ptr);
  uv_fs_req_cleanup(&req);
  int fd = real ? open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd < 0) {
    free(real);
    return rt_error_new(RT_NO_OFFSET, "cannot preopen %s: not a directory",
                        host);
  }
  wasi_fd e = {0};
  e.filetype = WASI_FILETYPE_DIRECTORY;
  e.host_fd = fd;
  e.owns_host_fd = true;
  e.host_path = real;
  e.preopen_name = strdup(guest);
  e.rights_base = WASI_RIGHTS_DIRECTORY;
  e.rights_inheriting = WASI_RIGHTS_DIRECTORY | WASI_RIGHTS_REGULAR_FILE;
  uint32_t num;
  if (!e.preopen_name || wasi_fd_insert(w, &e, &num)) {
    wasi_fd_release(&e);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  return NULL;
}

static void free_bindings(void *blocks);

static void wasi_free(wrun_wasi *w) {
  for (size_t i = 0; i < w->nfds; i++)
    if (w->fds[i].used) wasi_fd_release(&w->fds[i]);
  free(w->fds);
  free_strings(w->argv, w->argc);
  free_strings(w->env, w->envc);
  if (w->loop_ready) {
    uv_run(&w->loop, UV_RUN_NOWAIT); /* let pending close callbacks run */
    uv_loop_close(&w->loop);
  }
  free_bindings(w->bindings);
  wasi_threads_free(w->threads);
  uv_mutex_destroy(&w->lock);
  free(w);
}

void wasi_release(wrun_wasi *w, uint64_t what) {
  if ((uint32_t)atomic_fetch_sub(&w->refs, what) == 1) wasi_free(w);
}

void wasi_unref(wrun_wasi *w) { wasi_release(w, WASI_REF); }

void wrun_wasi_delete(wrun_wasi *w) {
  if (w) wasi_unref(w);
}

int wrun_wasi_exit_code(const wrun_trap *t) {
  if (!t || wrun_trap_code_of(t) != WRUN_TRAP_EXIT) return -1;
  return (int)wrun_trap_exit_status(t);
}

/* ---- the host functions ----------------------------------------------- */

/* Which names a function gets. */
enum { IN_BOTH, PREVIEW1_ONLY };
/* Whether the call runs under the context's lock (see struct wrun_wasi). */
enum { LOCKED, UNLOCKED };

typedef struct wasi_fn_desc {
  const char *name;
  const char *params; /* 'i' i32, 'I' i64 */
  bool has_result;    /* every call returns an errno but proc_exit */
  int where;
  wasi_handler fn;
  int locking;        /* LOCKED unless said */
} wasi_fn_desc;

static const wasi_fn_desc wasi_functions[] = {
  {"args_get", "ii", true, IN_BOTH, wasi_args_get, UNLOCKED},
  {"args_sizes_get", "ii", true, IN_BOTH, wasi_args_sizes_get, UNLOCKED},
  {"environ_get", "ii", true, IN_BOTH, wasi_environ_get, UNLOCKED},
  {"environ_sizes_get", "ii", true, IN_BOTH, wasi_environ_sizes_get, UNLOCKED},
  {"clock_res_get", "ii", true, IN_BOTH, wasi_clock_res_get, UNLOCKED},
  {"clock_time_get", "iIi", true, IN_BOTH, wasi_clock_time_get, UNLOCKED},
  {"fd_advise", "iIIi", true, IN_BOTH, wasi_fd_advise, LOCKED},
  {"fd_allocate", "iII", true, IN_BOTH, wasi_fd_allocate, LOCKED},
  {"fd_close", "i", true, IN_BOTH, wasi_fd_close, LOCKED},
  {"fd_datasync", "i", true, IN_BOTH, wasi_fd_datasync, LOCKED},
  {"fd_fdstat_get", "ii", true, IN_BOTH, wasi_fd_fdstat_get, LOCKED},
  {"fd_fdstat_set_flags", "ii", true, IN_BOTH,
   wasi_fd_fdstat_set_flags, LOCKED},
  {"fd_fdstat_set_rights", "iII", true, IN_BOTH,
   wasi_fd_fdstat_set_rights, LOCKED},
  {"fd_filestat_get", "ii", true, IN_BOTH, wasi_fd_filestat_get, LOCKED},
  {"fd_filestat_set_size", "iI", true, IN_BOTH,
   wasi_fd_filestat_set_size, LOCKED},
  {"fd_filestat_set_times", "iIIi", true, IN_BOTH,
   wasi_fd_filestat_set_times, LOCKED},
  {"fd_pread", "iiiIi", true, IN_BOTH, wasi_fd_pread, LOCKED},
  {"fd_prestat_get", "ii", true, IN_BOTH, wasi_fd_prestat_get, LOCKED},
  {"fd_prestat_dir_name", "iii", true, IN_BOTH,
   wasi_fd_prestat_dir_name, LOCKED},
  {"fd_pwrite", "iiiIi", true, IN_BOTH, wasi_fd_pwrite, LOCKED},
  {"fd_read", "iiii", true, IN_BOTH, wasi_fd_read, LOCKED},
  {"fd_readdir", "iiiIi", true, IN_BOTH, wasi_fd_readdir, LOCKED},
  {"fd_renumber", "ii", true, IN_BOTH, wasi_fd_renumber, LOCKED},
  {"fd_seek", "iIii", true, IN_BOTH, wasi_fd_seek, LOCKED},
  {"fd_sync", "i", true, IN_BOTH, wasi_fd_sync, LOCKED},
  {"fd_tell", "ii", true, IN_BOTH, wasi_fd_tell, LOCKED},
  {"fd_write", "iiii", true, IN_BOTH, wasi_fd_write, LOCKED},
  {"path_create_directory", "iii", true, IN_BOTH,
   wasi_path_create_directory, LOCKED},
  {"path_filestat_get", "iiiii", true, IN_BOTH,
   wasi_path_filestat_get, LOCKED},
  {"path_filestat_set_times", "iiiiIIi", true, IN_BOTH,
   wasi_path_filestat_set_times, LOCKED},
  {"path_link", "iiiiiii", true, IN_BOTH, wasi_path_link, LOCKED},
  {"path_open", "iiiiiIIii", true, IN_BOTH, wasi_path_open, LOCKED},
  {"path_readlink", "iiiiii", true, IN_BOTH, wasi_path_readlink, LOCKED},
  {"path_remove_directory", "iii", true, IN_BOTH,
   wasi_path_remove_directory, LOCKED},
  {"path_rename", "iiiiii", true, IN_BOTH, wasi_path_rename, LOCKED},
  {"path_symlink", "iiiii", true, IN_BOTH, wasi_path_symlink, LOCKED},
  {"path_unlink_file", "iii", true, IN_BOTH, wasi_path_unlink_file, LOCKED},
  /* wasi_unstable's subscription layout differs: not defined there. */
  {"poll_oneoff", "iiii", true, PREVIEW1_ONLY, wasi_poll_oneoff, UNLOCKED},
  {"proc_exit", "i", false, IN_BOTH, wasi_proc_exit, UNLOCKED},
  {"proc_raise", "i", true, IN_BOTH, wasi_proc_raise, LOCKED},
  {"sched_yield", "", true, IN_BOTH, wasi_sched_yield, UNLOCKED},
  {"random_get", "ii", true, IN_BOTH, wasi_random_get, UNLOCKED},
  {"sock_accept", "iii", true, PREVIEW1_ONLY, wasi_sock_accept, LOCKED},
  {"sock_recv", "iiiiii", true, IN_BOTH, wasi_sock_recv, LOCKED},
  {"sock_send", "iiiii", true, IN_BOTH, wasi_sock_send, LOCKED},
  {"sock_shutdown", "ii", true, IN_BOTH, wasi_sock_shutdown, LOCKED},
};
#define WASI_FUNCTION_COUNT (sizeof wasi_functions / sizeof wasi_functions[0])

struct wasi_binding {
  wrun_wasi *w;
  const wasi_fn_desc *desc;
  bool unstable;
};

/* The bindings of one store's definitions; they live as long as w. */
struct binding_block {
  struct binding_block *next;
  struct wasi_binding b[2 * WASI_FUNCTION_COUNT];
};

static void free_bindings(void *blocks) {
  struct binding_block *b = blocks;
  while (b) {
    struct binding_block *next = b->next;
    free(b);
    b = next;
  }
}

static wrun_trap *wasi_dispatch(void *env, wrun_caller *caller,
                                const wrun_val *args, size_t nargs,
                                wrun_val *results, size_t nresults) {
  struct wasi_binding *b = env;
  wasi_call c = {.w = b->w, .args = args, .unstable = b->unstable};
  wrun_memory *mem = wrun_caller_memory(caller);
  if (mem) {
    c.mem.base = wrun_memory_data(mem);
    c.mem.size = wrun_memory_size_bytes(mem);
  }
  bool locked = b->desc->locking == LOCKED;
  if (locked) wasi_lock(b->w);
  uint16_t err = b->desc->fn(&c);
  if (locked) wasi_unlock(b->w);
  if (nresults) {
    results[0].type = WRUN_I32;
    results[0].of.i32 = err;
  }
  return c.trap;
}

static void binding_finalize(void *env) {
  struct wasi_binding *b = env;
  wasi_unref(b->w);
}

static wrun_error *define_one(wrun_linker *l, wrun_store *s,
                              struct wasi_binding *b, const char *module) {
  wrun_valtype params[16];
  size_t n = strlen(b->desc->params);
  for (size_t i = 0; i < n; i++)
    params[i] = b->desc->params[i] == 'I' ? WRUN_I64 : WRUN_I32;
  wrun_valtype result = WRUN_I32;
  wrun_func *f = wrun_func_new(s, params, n, &result,
                               b->desc->has_result ? 1 : 0, wasi_dispatch, b,
                               binding_finalize);
  if (!f) return rt_error_new(RT_NO_OFFSET, "cannot define %s.%s", module,
                              b->desc->name);
  atomic_fetch_add(&b->w->refs, WASI_REF);
  wrun_extern ext = {.kind = WRUN_EXTERN_FUNC, .of.func = f};
  wrun_linker_define(l, module, b->desc->name, ext);
  return NULL;
}

wrun_error *wasi_define_into(wrun_linker *l, wrun_store *s, wrun_wasi *w) {
  struct binding_block *block = calloc(1, sizeof *block);
  if (!block) return rt_error_new(RT_NO_OFFSET, "out of memory");
  wasi_lock(w);
  block->next = w->bindings;
  w->bindings = block;
  wasi_unlock(w);
  struct wasi_binding *b = block->b;
  for (size_t i = 0; i < WASI_FUNCTION_COUNT; i++) {
    const wasi_fn_desc *d = &wasi_functions[i];
    b[2 * i] = (struct wasi_binding){w, d, false};
    wrun_error *err = define_one(l, s, &b[2 * i], "wasi_snapshot_preview1");
    if (err) return err;
    if (d->where != IN_BOTH) continue;
    b[2 * i + 1] = (struct wasi_binding){w, d, true};
    err = define_one(l, s, &b[2 * i + 1], "wasi_unstable");
    if (err) return err;
  }
  return w->threads ? wasi_threads_define(l, s, w) : NULL;
}

wrun_error *wrun_wasi_define(wrun_linker *l, wrun_store *s,
                             const wrun_wasi_config *cfg, wrun_wasi **out) {
  *out = NULL;
  wrun_wasi *w = calloc(1, sizeof *w);
  if (!w) return rt_error_new(RT_NO_OFFSET, "out of memory");
  atomic_init(&w->refs, WASI_REF);
  if (uv_mutex_init(&w->lock) != 0) {
    free(w);
    return rt_error_new(RT_NO_OFFSET, "cannot make a mutex");
  }
  bool ok = copy_strings(cfg->argv, cfg->argc, &w->argv);
  if (ok) w->argc = cfg->argc;
  ok = ok && copy_strings(cfg->env, cfg->envc, &w->env);
  if (ok) w->envc = cfg->envc;
  if (!ok || !add_stdio(w, cfg)) {
    wasi_unref(w);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  for (size_t i = 0; i < cfg->npreopens; i++) {
    wrun_error *err = add_preopen(w, cfg->preopen_host[i],
                                  cfg->preopen_guest[i]);
    if (err) {
      wasi_unref(w);
      return err;
    }
  }
  /* Listening sockets come after the directories: wasi-libc finds its
   * preopens by asking fd_prestat_get from fd 3 up and stops at the first
   * EBADF, which a socket gives (wasmtime puts them first, and that hides
   * the directories: its issue 3936). */
  for (size_t i = 0; i < cfg->nlistens; i++) {
    wrun_error *err = wasi_add_listener(w, &cfg->listens[i]);
    if (err) {
      wasi_unref(w);
      return err;
    }
  }
  wrun_error *err = wasi_define_into(l, s, w);
  if (err) {
    /* Functions already made hold references; the store drops them. */
    wasi_unref(w);
    return err;
  }
  *out = w;
  return NULL;
}
