/* escape: attempts to get out of the sandbox, one way per run (argv[1]).
 * Every attempt must be refused; the program prints each refusal's errno on
 * stderr and fails if any attempt succeeds or leaks the secret. The harness
 * then checks that the host tree outside the sandbox did not change. To be
 * sure the refusals are about the sandbox and not a broken runtime, each mode
 * also does the same thing inside the sandbox and expects it to work.
 *
 *   dotdot        ".." out of the preopen (open, create, mkdir, unlink,
 *                 rmdir, set-times, symlink placed outside)
 *   absolute      absolute paths: "/etc/passwd" and the host's own path
 *   symlink       symlinks made by the harness: relative and absolute, both
 *                 pointing outside (read, write, stat, create under)
 *   chain         a chain of symlinks whose last one leads outside
 *   guest_symlink symlinks the guest makes pointing outside, then used
 *   rename_out    rename from the sandbox to outside
 *   rename_in     rename from outside into the sandbox
 *   link_out      hard link from the sandbox to outside
 *   link_in       hard link from outside (also via a symlink) into it
 *
 * Host layout (see run-wasi-test.sh): sandbox/ is "/", ../outside/ holds
 * secret.txt ("top secret\n") and an empty dir/; OUTSIDE_ABS is its host
 * path. Names created by escapes contain "escaped" so the harness spots
 * them. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int refused_count;

static void refused(const char *what, __wasi_errno_t e) {
  CHECK(e != 0, "%s: was allowed", what);
  fprintf(stderr, "refused: %s: errno %u (%s)\n", what, e, strerror(e));
  refused_count++;
}

static __wasi_errno_t try_open(const char *path, __wasi_lookupflags_t look,
                               __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e =
      __wasi_path_open(sandbox_fd(), look, path, oflags, rights, 0, 0, &fd);
  if (e == 0) {
    /* Opened: show what leaked before failing. */
    char buf[64] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n;
    if (__wasi_fd_read(fd, &iov, 1, &n) == 0)
      fprintf(stderr, "opened %s, read '%s'\n", path, buf);
    (void)__wasi_fd_close(fd);
  }
  return e;
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define R_READ __WASI_RIGHTS_FD_READ
#define R_WRITE (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)

static void open_read_refused(const char *path) {
  char what[200];
  snprintf(what, sizeof what, "open %s for reading", path);
  refused(what, try_open(path, FOLLOW, 0, R_READ));
}

static void open_write_refused(const char *path) {
  char what[200];
  snprintf(what, sizeof what, "open %s for writing with O_TRUNC", path);
  refused(what, try_open(path, FOLLOW, __WASI_OFLAGS_TRUNC, R_WRITE));
}

static void create_refused(const char *path) {
  char what[200];
  snprintf(what, sizeof what, "create %s", path);
  refused(what, try_open(path, FOLLOW,
                         __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_WRITE));
}

static void stat_refused(const char *path) {
  __wasi_filestat_t st;
  char what[200];
  snprintf(what, sizeof what, "stat %s", path);
  refused(what, __wasi_path_filestat_get(sandbox_fd(), FOLLOW, path, &st));
}

/* The libc route must not read the secret either. */
static void libc_cannot_read(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "refused: fopen %s: errno %d (%s)\n", path, errno,
            strerror(errno));
    return;
  }
  char buf[64] = {0};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  CHECK(strstr(buf, "top secret") == NULL, "fopen %s read the secret", path);
  fprintf(stderr, "fopen %s opened a sandbox file (%zu bytes), fine\n", path,
          n);
}

static void inside_works(const char *path) {
  __wasi_fd_t fd;
  CHECK_WASI(__wasi_path_open(sandbox_fd(), FOLLOW, path, 0, R_READ, 0, 0,
                              &fd),
             0);
  CHECK_WASI(__wasi_fd_close(fd), 0);
}

static void dotdot(void) {
  __wasi_fd_t root = sandbox_fd();
  inside_works("sub/../data.txt");
  open_read_refused("../outside/secret.txt");
  open_read_refused("sub/../../outside/secret.txt");
  open_read_refused("sub/../sub/../../outside/secret.txt");
  open_read_refused("..");
  open_write_refused("../outside/secret.txt");
  create_refused("../escaped-dotdot.txt");
  create_refused("../outside/escaped-dotdot.txt");
  stat_refused("../outside/secret.txt");
  refused("mkdir ../escaped-dir",
          __wasi_path_create_directory(root, "../escaped-dir"));
  refused("mkdir ../outside/dir/escaped-dir",
          __wasi_path_create_directory(root, "../outside/dir/escaped-dir"));
  refused("unlink ../outside/secret.txt",
          __wasi_path_unlink_file(root, "../outside/secret.txt"));
  refused("rmdir ../outside/dir",
          __wasi_path_remove_directory(root, "../outside/dir"));
  refused("symlink at ../outside/escaped-link",
          __wasi_path_symlink("data.txt", root, "../outside/escaped-link"));
  refused("set-times on ../outside/secret.txt",
          __wasi_path_filestat_set_times(root, FOLLOW, "../outside/secret.txt",
                                         0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  __wasi_fd_t dir;
  refused("opendir ..", __wasi_path_open(root, FOLLOW, "..",
                                         __WASI_OFLAGS_DIRECTORY, 0, 0, 0,
                                         &dir));
  libc_cannot_read("../outside/secret.txt");
  libc_cannot_read("/../outside/secret.txt");
}

static void absolute(void) {
  const char *outside = getenv("OUTSIDE_ABS");
  CHECK(outside && outside[0] == '/', "OUTSIDE_ABS not set");
  char secret[512], created[512];
  snprintf(secret, sizeof secret, "%s/secret.txt", outside);
  snprintf(created, sizeof created, "%s/escaped-absolute.txt", outside);
  open_read_refused("/etc/passwd");
  open_read_refused(secret);
  open_write_refused(secret);
  create_refused(created);
  stat_refused(secret);
  open_read_refused("/");
  refused("mkdir absolute",
          __wasi_path_create_directory(sandbox_fd(), created));
  refused("unlink absolute", __wasi_path_unlink_file(sandbox_fd(), secret));
  /* Through libc an absolute path means "under the preopen named /": it
   * finds nothing there, and must not find the host's file. */
  libc_cannot_read(secret);
  libc_cannot_read("/etc/passwd");
  /* ...while the sandbox's own absolute path works. */
  char buf[32];
  read_file("/data.txt", buf, sizeof buf);
  CHECK(strcmp(buf, "sandbox data\n") == 0, "/data.txt is '%s'", buf);
}

static void symlink_host(void) {
  inside_works("link_in");
  open_read_refused("link_out");
  open_read_refused("link_abs");
  open_write_refused("link_out");
  open_write_refused("link_abs");
  stat_refused("link_out");
  stat_refused("link_abs");
  /* Without SYMLINK_FOLLOW the link itself may be looked at, but opening
   * it must still not reach the target. */
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(sandbox_fd(), 0, "link_out", 0, R_READ,
                                      0, 0, &fd);
  refused("open link_out without following", e);
  libc_cannot_read("link_out");
  libc_cannot_read("link_abs");
}

static void chain(void) {
  open_read_refused("chain1/secret.txt");
  open_read_refused("chain2/secret.txt");
  open_write_refused("chain1/secret.txt");
  create_refused("chain1/escaped-chain.txt");
  stat_refused("chain1/secret.txt");
  refused("mkdir chain1/escaped-dir",
          __wasi_path_create_directory(sandbox_fd(), "chain1/escaped-dir"));
  refused("unlink chain1/secret.txt",
          __wasi_path_unlink_file(sandbox_fd(), "chain1/secret.txt"));
  __wasi_fd_t dir;
  refused("opendir chain1",
          __wasi_path_open(sandbox_fd(), FOLLOW, "chain1",
                           __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &dir));
  libc_cannot_read("chain1/secret.txt");
}

static void guest_symlink(void) {
  __wasi_fd_t root = sandbox_fd();
  const char *outside = getenv("OUTSIDE_ABS");
  CHECK(outside != NULL, "OUTSIDE_ABS not set");
  /* A harmless one first: making symlinks works at all. */
  CHECK_WASI(__wasi_path_symlink("data.txt", root, "mine_in"), 0);
  inside_works("mine_in");
  struct {
    const char *target, *name;
  } links[] = {
      {"../outside/secret.txt", "mine_file"},
      {"../outside", "mine_dir"},
      {"sub/../../outside", "mine_dir2"},
      {"../outside/escaped-guest-new.txt", "mine_dangling"},
      {outside, "mine_abs"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    /* Making the link may itself be refused; that is fine too. */
    __wasi_errno_t e = __wasi_path_symlink(links[i].target, root,
                                           links[i].name);
    fprintf(stderr, "symlink %s -> %s: errno %u\n", links[i].name,
            links[i].target, e);
  }
  open_read_refused("mine_file");
  open_write_refused("mine_file");
  stat_refused("mine_file");
  open_read_refused("mine_dir/secret.txt");
  open_read_refused("mine_dir2/secret.txt");
  create_refused("mine_dir/escaped-guest.txt");
  create_refused("mine_dangling");
  refused("open mine_dangling with O_CREAT",
          try_open("mine_dangling", FOLLOW, __WASI_OFLAGS_CREAT, R_WRITE));
  open_read_refused("mine_abs/secret.txt");
  create_refused("mine_abs/escaped-guest-abs.txt");
  refused("mkdir mine_dir/escaped-dir",
          __wasi_path_create_directory(root, "mine_dir/escaped-dir"));
  refused("unlink mine_dir/secret.txt",
          __wasi_path_unlink_file(root, "mine_dir/secret.txt"));
  refused("rename into mine_dir",
          __wasi_path_rename(root, "data.txt", root,
                             "mine_dir/escaped-renamed.txt"));
  libc_cannot_read("mine_file");
  libc_cannot_read("mine_dir/secret.txt");
}

static void rename_out(void) {
  __wasi_fd_t root = sandbox_fd();
  const char *outside = getenv("OUTSIDE_ABS");
  char abs_target[512];
  snprintf(abs_target, sizeof abs_target, "%s/escaped-rename-abs.txt",
           outside ? outside : "/tmp");
  write_file("moveme.txt", "moving");
  refused("rename to ../outside",
          __wasi_path_rename(root, "moveme.txt", root,
                             "../outside/escaped-rename.txt"));
  refused("rename over ../outside/secret.txt",
          __wasi_path_rename(root, "moveme.txt", root,
                             "../outside/secret.txt"));
  refused("rename to ../escaped-rename.txt",
          __wasi_path_rename(root, "moveme.txt", root,
                             "../escaped-rename.txt"));
  refused("rename to an absolute path",
          __wasi_path_rename(root, "moveme.txt", root, abs_target));
  refused("rename into chain1/",
          __wasi_path_rename(root, "moveme.txt", root,
                             "chain1/escaped-rename.txt"));
  refused("rename over link_out's target",
          __wasi_path_rename(root, "moveme.txt", root,
                             "link_out/../escaped-rename.txt"));
  refused("rename the sandbox's sub/ out",
          __wasi_path_rename(root, "sub", root, "../escaped-sub"));
  /* Renaming over the symlink itself replaces the link, which is inside:
   * allowed, and the secret stays put (the harness checks that). */
  CHECK_WASI(__wasi_path_rename(root, "moveme.txt", root, "link_out"), 0);
  char buf[32];
  read_file("link_out", buf, sizeof buf);
  CHECK(strcmp(buf, "moving") == 0, "link_out now '%s'", buf);
}

static void rename_in(void) {
  __wasi_fd_t root = sandbox_fd();
  refused("rename ../outside/secret.txt in",
          __wasi_path_rename(root, "../outside/secret.txt", root,
                             "stolen.txt"));
  refused("rename ../outside/dir in",
          __wasi_path_rename(root, "../outside/dir", root, "stolen_dir"));
  refused("rename chain1/secret.txt in",
          __wasi_path_rename(root, "chain1/secret.txt", root, "stolen.txt"));
  const char *outside = getenv("OUTSIDE_ABS");
  char secret[512];
  snprintf(secret, sizeof secret, "%s/secret.txt", outside ? outside : "/x");
  refused("rename absolute secret in",
          __wasi_path_rename(root, secret, root, "stolen.txt"));
  CHECK(access("stolen.txt", F_OK) != 0, "stolen.txt exists");
  CHECK(access("stolen_dir", F_OK) != 0, "stolen_dir exists");
  /* Inside, renaming works. */
  CHECK_WASI(__wasi_path_rename(root, "data.txt", root, "data2.txt"), 0);
}

static void link_out(void) {
  __wasi_fd_t root = sandbox_fd();
  refused("link to ../outside",
          __wasi_path_link(root, 0, "data.txt", root,
                           "../outside/escaped-link.txt"));
  refused("link to ../escaped-link.txt",
          __wasi_path_link(root, 0, "data.txt", root, "../escaped-link.txt"));
  refused("link into chain1/",
          __wasi_path_link(root, 0, "data.txt", root,
                           "chain1/escaped-link.txt"));
  const char *outside = getenv("OUTSIDE_ABS");
  char target[512];
  snprintf(target, sizeof target, "%s/escaped-link-abs.txt",
           outside ? outside : "/tmp");
  refused("link to an absolute path",
          __wasi_path_link(root, 0, "data.txt", root, target));
  CHECK_WASI(__wasi_path_link(root, 0, "data.txt", root, "data-link.txt"), 0);
}

static void link_in(void) {
  __wasi_fd_t root = sandbox_fd();
  refused("link ../outside/secret.txt in",
          __wasi_path_link(root, 0, "../outside/secret.txt", root,
                           "stolen.txt"));
  refused("link chain1/secret.txt in",
          __wasi_path_link(root, 0, "chain1/secret.txt", root, "stolen2.txt"));
  /* Following link_out would hard-link the secret itself into the
   * sandbox. Not following it links the symlink (inside): allowed, but then
   * the new link must not lead out either. */
  refused("link through link_out, following",
          __wasi_path_link(root, FOLLOW, "link_out", root, "stolen3.txt"));
  refused("link through link_abs, following",
          __wasi_path_link(root, FOLLOW, "link_abs", root, "stolen4.txt"));
  if (__wasi_path_link(root, 0, "link_out", root, "link_copy") == 0)
    open_read_refused("link_copy");
  const char *outside = getenv("OUTSIDE_ABS");
  char secret[512];
  snprintf(secret, sizeof secret, "%s/secret.txt", outside ? outside : "/x");
  refused("link absolute secret in",
          __wasi_path_link(root, 0, secret, root, "stolen5.txt"));
  static const char *const stolen[] = {"stolen.txt",  "stolen2.txt",
                                        "stolen3.txt", "stolen4.txt",
                                        "stolen5.txt"};
  for (size_t i = 0; i < sizeof stolen / sizeof stolen[0]; i++) {
    struct stat st;
    CHECK(lstat(stolen[i], &st) != 0, "%s exists", stolen[i]);
  }
}

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: escape.wasm MODE");
  static const struct {
    const char *name;
    void (*run)(void);
  } modes[] = {
      {"dotdot", dotdot},         {"absolute", absolute},
      {"symlink", symlink_host},  {"chain", chain},
      {"guest_symlink", guest_symlink},
      {"rename_out", rename_out}, {"rename_in", rename_in},
      {"link_out", link_out},     {"link_in", link_in},
  };
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    if (strcmp(argv[1], modes[i].name) == 0) {
      modes[i].run();
      printf("escape %s: all refused\n", modes[i].name);
      return 0;
    }
  }
  CHECK(0, "unknown mode '%s'", argv[1]);
  return 1;
}
