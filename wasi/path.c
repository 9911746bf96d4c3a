/* Sandboxed path resolution.
 *
 * The host kernel is not trusted to keep a lookup inside a preopen: a guest
 * path is walked here one component at a time. `..` is applied lexically to
 * the components already walked, which is sound because every component
 * before the last has been checked to be a real directory (symlinks are
 * expanded by us, never by the kernel). Symlink targets are read with
 * readlink and spliced into the rest of the path, so they are subject to
 * the same rules: an absolute target or one that climbs above the starting
 * directory is refused with ENOTCAPABLE. After more than WASI_MAX_SYMLINKS
 * expansions the lookup fails with ELOOP.
 *
 * The result is a host path with no symlink before its last component; the
 * callers open it with O_NOFOLLOW when the last component must not be
 * followed. Known limit: another host process that swaps a checked
 * directory for a symlink between the check and the use could redirect the
 * call (the lookup is path based, as uv_fs_* are).
 */
#include <stdlib.h>
#include <string.h>

#include "wasi_internal.h"

/* A growable '/'-separated list of the components walked so far. */
typedef struct walked {
  char *buf;
  size_t len, cap;
} walked;

static bool walked_push(walked *w, const char *comp, size_t n) {
  size_t need = w->len + n + 2;
  if (need > w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    while (cap < need) cap *= 2;
    char *b = realloc(w->buf, cap);
    if (!b) return false;
    w->buf = b;
    w->cap = cap;
  }
  if (w->len) w->buf[w->len++] = '/';
  memcpy(w->buf + w->len, comp, n);
  w->len += n;
  w->buf[w->len] = '\0';
  return true;
}

static void walked_pop(walked *w) {
  while (w->len && w->buf[w->len - 1] != '/') w->len--;
  if (w->len) w->len--; /* the separator */
  if (w->buf) w->buf[w->len] = '\0';
}

/* True when nothing but slashes and "." components remain. */
static bool only_dots_left(const char *p, const char *end) {
  while (p < end) {
    if (*p == '/') { p++; continue; }
    if (*p == '.' && (p + 1 == end || p[1] == '/')) { p++; continue; }
    return false;
  }
  return true;
}

/* Builds "target/rest" (rest may be empty) as the new remaining path. */
static char *splice_target(const char *target, const char *rest, const char *end) {
  size_t tl = strlen(target), rl = (size_t)(end - rest);
  char *s = malloc(tl + rl + 2);
  if (!s) return NULL;
  memcpy(s, target, tl);
  size_t at = tl;
  if (rl) s[at++] = '/'; /* no separator of our own at the end */
  memcpy(s + at, rest, rl);
  s[at + rl] = '\0';
  return s;
}

uint16_t wasi_path_resolve(const char *path, size_t len, bool follow_last,
                           wasi_lookup_fn lookup, void *ctx, char **out_rel) {
  *out_rel = NULL;
  if (len == 0) return WASI_ENOENT;
  if (len > WASI_PATH_MAX) return WASI_ENAMETOOLONG;
  if (memchr(path, '\0', len)) return WASI_EILSEQ;
  if (path[0] == '/') return WASI_ENOTCAPABLE;
  bool trailing_slash = path[len - 1] == '/';

  char *owned = malloc(len + 1); /* the remaining path, replaced by splices */
  if (!owned) return WASI_ENOMEM;
  memcpy(owned, path, len);
  owned[len] = '\0';
  const char *p = owned, *end = owned + len;
  walked w = {0};
  int expansions = 0;
  uint16_t err = WASI_ESUCCESS;

  while (p < end) {
    if (*p == '/') { p++; continue; }
    const char *c = p;
    while (p < end && *p != '/') p++;
    size_t n = (size_t)(p - c);
    if (n == 1 && c[0] == '.') continue;
    if (n == 2 && c[0] == '.' && c[1] == '.') {
      if (w.len == 0) { err = WASI_ENOTCAPABLE; break; }
      walked_pop(&w);
      continue;
    }
    if (n > 255) { err = WASI_ENAMETOOLONG; break; }
    if (!walked_push(&w, c, n)) { err = WASI_ENOMEM; break; }
    bool last = only_dots_left(p, end);
    /* A final "x/" or "x/." names a directory: follow x like the kernel. */
    bool dir_suffix = last && p < end;
    if (last && !follow_last && !dir_suffix && !trailing_slash) break;

    wasi_node_kind kind;
    char *target = NULL;
    err = lookup(ctx, w.buf, &kind, &target);
    if (err) break;
    if (kind == WASI_NODE_MISSING) {
      if (!last) err = WASI_ENOENT;
      break;
    }
    if (kind == WASI_NODE_OTHER) {
      if (!last || dir_suffix) err = WASI_ENOTDIR;
      break;
    }
    if (kind == WASI_NODE_DIR) continue;
    /* A symlink: splice its target in place of this component. */
    if (++expansions > WASI_MAX_SYMLINKS) { free(target); err = WASI_ELOOP; break; }
    if (!target || target[0] == '\0') { free(target); err = WASI_ENOENT; break; }
    if (target[0] == '/') { free(target); err = WASI_ENOTCAPABLE; break; }
    walked_pop(&w);
    char *next = splice_target(target, p, end);
    free(target);
    if (!next) { err = WASI_ENOMEM; break; }
    free(owned);
    owned = next;
    p = owned;
    end = owned + strlen(owned);
    /* A trailing slash in the target still asks for a directory. */
    if (end > owned && end[-1] == '/') trailing_slash = true;
  }
  free(owned);
  if (err) {
    free(w.buf);
    return err;
  }
  if (w.len == 0) {
    free(w.buf);
    *out_rel = strdup(".");
    return *out_rel ? WASI_ESUCCESS : WASI_ENOMEM;
  }
  if (trailing_slash && !walked_push(&w, "", 0)) {
    free(w.buf);
    return WASI_ENOMEM;
  }
  *out_rel = w.buf;
  return WASI_ESUCCESS;
}

char *wasi_path_join(const char *dir, const char *rel) {
  if (strcmp(rel, ".") == 0) return strdup(dir);
  size_t dl = strlen(dir), rl = strlen(rel);
  char *s = malloc(dl + rl + 2);
  if (!s) return NULL;
  memcpy(s, dir, dl);
  size_t at = dl;
  if (at == 0 || s[at - 1] != '/') s[at++] = '/';
  memcpy(s + at, rel, rl + 1);
  return s;
}

/* ---- lookups on the host ------------------------------------------------ */

typedef struct host_lookup {
  wrun_wasi *w;
  const char *dir;
} host_lookup;

static uint16_t lookup_on_host(void *ctx, const char *rel,
                               wasi_node_kind *kind, char **target) {
  host_lookup *h = ctx;
  char *full = wasi_path_join(h->dir, rel);
  if (!full) return WASI_ENOMEM;
  uv_fs_t req;
  int r = uv_fs_lstat(wasi_loop(h->w), &req, full, NULL);
  uint64_t mode = req.statbuf.st_mode;
  uv_fs_req_cleanup(&req);
  uint16_t err = WASI_ESUCCESS;
  if (r == UV_ENOENT) {
    *kind = WASI_NODE_MISSING;
  } else if (r < 0) {
    err = wasi_errno_from_uv(r);
  } else if (wasi_filetype_of_mode(mode) == WASI_FILETYPE_DIRECTORY) {
    *kind = WASI_NODE_DIR;
  } else if (wasi_filetype_of_mode(mode) == WASI_FILETYPE_SYMBOLIC_LINK) {
    *kind = WASI_NODE_SYMLINK;
    r = uv_fs_readlink(wasi_loop(h->w), &req, full, NULL);
    if (r < 0) {
      err = wasi_errno_from_uv(r);
    } else {
      *target = strdup((const char *)req.ptr);
      if (!*target) err = WASI_ENOMEM;
    }
    uv_fs_req_cleanup(&req);
  } else {
    *kind = WASI_NODE_OTHER;
  }
  free(full);
  return err;
}

uint16_t wasi_resolve_at(wrun_wasi *w, wasi_mem *m, uint32_t dirfd,
                         uint64_t rights, uint32_t path_ptr,
                         uint32_t path_len, bool follow_last,
                         char **host_path, wasi_fd **dir_out) {
  *host_path = NULL;
  wasi_fd *dir;
  uint16_t err = wasi_fd_check(w, dirfd, 0, &dir);
  if (err) return err;
  if (dir->filetype != WASI_FILETYPE_DIRECTORY || !dir->host_path)
    return WASI_ENOTDIR;
  if ((dir->rights_base & rights) != rights) return WASI_ENOTCAPABLE;
  if (!wasi_mem_ok(m, path_ptr, path_len)) return WASI_EFAULT;
  host_lookup h = {w, dir->host_path};
  char *rel;
  err = wasi_path_resolve((const char *)m->base + path_ptr, path_len,
                          follow_last, lookup_on_host, &h, &rel);
  if (err) return err;
  *host_path = wasi_path_join(dir->host_path, rel);
  free(rel);
  if (dir_out) *dir_out = dir;
  return *host_path ? WASI_ESUCCESS : WASI_ENOMEM;
}
