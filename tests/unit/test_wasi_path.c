/* WASI path resolution against a fake file system, and the errno mapping. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../wasi/wasi_internal.h"

/* The fake tree, relative to the starting directory:
 *   d/            a directory
 *   d/e/          a directory
 *   f             a file
 *   in -> d       symlink inside
 *   up -> ..      climbs out
 *   deep -> d/../../x   climbs out halfway
 *   abs -> /etc   absolute
 *   loop -> loop  a cycle
 *   d/back -> ../f  stays inside
 *   chain1 -> chain2 -> up */
typedef struct fake_node {
  const char *path;
  wasi_node_kind kind;
  const char *target;
} fake_node;

static const fake_node fake_tree[] = {
  {"d", WASI_NODE_DIR, NULL},
  {"d/e", WASI_NODE_DIR, NULL},
  {"f", WASI_NODE_OTHER, NULL},
  {"in", WASI_NODE_SYMLINK, "d"},
  {"up", WASI_NODE_SYMLINK, ".."},
  {"deep", WASI_NODE_SYMLINK, "d/../../x"},
  {"abs", WASI_NODE_SYMLINK, "/etc"},
  {"loop", WASI_NODE_SYMLINK, "loop"},
  {"d/back", WASI_NODE_SYMLINK, "../f"},
  {"chain1", WASI_NODE_SYMLINK, "chain2"},
  {"chain2", WASI_NODE_SYMLINK, "up"},
  {"dirlink", WASI_NODE_SYMLINK, "d/"},
};

static int lookups;

static uint16_t fake_lookup(void *ctx, const char *rel, wasi_node_kind *kind,
                            char **target) {
  (void)ctx;
  lookups++;
  for (size_t i = 0; i < sizeof fake_tree / sizeof fake_tree[0]; i++) {
    if (strcmp(fake_tree[i].path, rel) != 0) continue;
    *kind = fake_tree[i].kind;
    if (fake_tree[i].target) *target = strdup(fake_tree[i].target);
    return 0;
  }
  *kind = WASI_NODE_MISSING;
  return 0;
}

/* Resolves and returns the errno; *out gets the path (or "") . */
static uint16_t resolve(const char *path, bool follow, char *out, size_t cap) {
  char *rel = NULL;
  uint16_t err = wasi_path_resolve(path, strlen(path), follow, fake_lookup,
                                   NULL, &rel);
  snprintf(out, cap, "%s", rel ? rel : "");
  free(rel);
  return err;
}

#define EXPECT_PATH(path, follow, want)                                       \
  do {                                                                        \
    char got_[256];                                                           \
    uint16_t e_ = resolve(path, follow, got_, sizeof got_);                   \
    cr_assert_eq(e_, 0, "%s: errno %u", path, e_);                            \
    cr_assert_str_eq(got_, want, "%s", path);                                 \
  } while (0)

#define EXPECT_ERR(path, follow, want)                                        \
  do {                                                                        \
    char got_[256];                                                           \
    uint16_t e_ = resolve(path, follow, got_, sizeof got_);                   \
    cr_assert_eq(e_, want, "%s: errno %u, want %u", path, e_, want);          \
  } while (0)

Test(wasi_path, plain_paths) {
  EXPECT_PATH("f", false, "f");
  EXPECT_PATH("d/e", true, "d/e");
  EXPECT_PATH("./d//e/.", true, "d/e");
  EXPECT_PATH(".", true, ".");
  EXPECT_PATH("new.txt", true, "new.txt"); /* missing last: may be created */
}

Test(wasi_path, dotdot_inside) {
  EXPECT_PATH("d/..", true, ".");
  EXPECT_PATH("d/e/../../f", true, "f");
}

Test(wasi_path, escapes_refused) {
  EXPECT_ERR("..", true, WASI_ENOTCAPABLE);
  EXPECT_ERR("../x", false, WASI_ENOTCAPABLE);
  EXPECT_ERR("d/../../x", false, WASI_ENOTCAPABLE);
  EXPECT_ERR("/etc/passwd", false, WASI_ENOTCAPABLE);
  EXPECT_ERR("/", true, WASI_ENOTCAPABLE);
}

Test(wasi_path, symlinks_inside_followed) {
  EXPECT_PATH("in/e", false, "d/e");
  EXPECT_PATH("in", true, "d");
  EXPECT_PATH("d/back", true, "f");
  /* Not following the last component leaves the link itself. */
  EXPECT_PATH("in", false, "in");
  EXPECT_PATH("up", false, "up");
  EXPECT_PATH("abs", false, "abs");
}

Test(wasi_path, symlinks_out_refused) {
  EXPECT_ERR("up", true, WASI_ENOTCAPABLE);
  EXPECT_ERR("up/x", false, WASI_ENOTCAPABLE);
  EXPECT_ERR("abs", true, WASI_ENOTCAPABLE);
  EXPECT_ERR("abs/passwd", false, WASI_ENOTCAPABLE);
  EXPECT_ERR("deep", true, WASI_ENOTCAPABLE);
  EXPECT_ERR("chain1", true, WASI_ENOTCAPABLE);
  EXPECT_ERR("chain1/x", false, WASI_ENOTCAPABLE);
  /* A trailing slash follows even without the follow flag. */
  EXPECT_ERR("up/", false, WASI_ENOTCAPABLE);
}

Test(wasi_path, loops_and_errors) {
  EXPECT_ERR("loop", true, WASI_ELOOP);
  EXPECT_PATH("loop", false, "loop");
  EXPECT_ERR("", false, WASI_ENOENT);
  EXPECT_ERR("f/x", false, WASI_ENOTDIR);
  EXPECT_ERR("f/", false, WASI_ENOTDIR);
  EXPECT_ERR("missing/x", false, WASI_ENOENT);
  char with_nul[] = {'d', '\0', 'e'};
  char *rel = NULL;
  cr_assert_eq(wasi_path_resolve(with_nul, 3, true, fake_lookup, NULL, &rel),
               WASI_EILSEQ);
  cr_assert_null(rel);
}

Test(wasi_path, trailing_slash_kept) {
  EXPECT_PATH("d/", false, "d/");
  EXPECT_PATH("dirlink", true, "d/");
  EXPECT_PATH("newdir/", false, "newdir/");
}

Test(wasi_path, no_lookup_of_unfollowed_last) {
  lookups = 0;
  EXPECT_PATH("whatever", false, "whatever");
  cr_assert_eq(lookups, 0);
}

Test(wasi_path, join) {
  char *p = wasi_path_join("/a/b", "c/d");
  cr_assert_str_eq(p, "/a/b/c/d");
  free(p);
  p = wasi_path_join("/a/b", ".");
  cr_assert_str_eq(p, "/a/b");
  free(p);
  p = wasi_path_join("/", "x");
  cr_assert_str_eq(p, "/x");
  free(p);
}

Test(wasi_errno, host_mapping) {
  cr_assert_eq(wasi_errno_from_host(0), WASI_ESUCCESS);
  cr_assert_eq(wasi_errno_from_host(ENOENT), 44);
  cr_assert_eq(wasi_errno_from_host(EBADF), 8);
  cr_assert_eq(wasi_errno_from_host(EINVAL), 28);
  cr_assert_eq(wasi_errno_from_host(EEXIST), 20);
  cr_assert_eq(wasi_errno_from_host(ENOTDIR), 54);
  cr_assert_eq(wasi_errno_from_host(EISDIR), 31);
  cr_assert_eq(wasi_errno_from_host(ENOTEMPTY), 55);
  cr_assert_eq(wasi_errno_from_host(ELOOP), 32);
  cr_assert_eq(wasi_errno_from_host(EPERM), 63);
  cr_assert_eq(wasi_errno_from_host(ESPIPE), 70);
  cr_assert_eq(wasi_errno_from_host(EXDEV), 75);
  cr_assert_eq(wasi_errno_from_host(100000), WASI_EIO);
  cr_assert_eq(wasi_errno_from_uv(UV_EACCES), 2);
  cr_assert_eq(wasi_errno_from_uv(5), 0);
}
