/* dirs: mkdir, listing a directory of many entries with readdir, and the raw
 * fd_readdir with buffers too small for the whole listing (or for a single
 * entry), resuming from cookies. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define ENTRY_COUNT 150
#define HEADER_SIZE sizeof(__wasi_dirent_t)

static void entry_name(int i, char *out, size_t cap) {
  /* Names of varied lengths so entries straddle buffer ends differently. */
  snprintf(out, cap, "entry-%d%.*s", i, i % 23, "_long_name_padding_xxxxxx");
}

static void make_entries(void) {
  CHECK_OK(mkdir("many", 0755));
  errno = 0;
  CHECK(mkdir("many", 0755) == -1 && errno == EEXIST,
        "mkdir existing: errno %d", errno);
  errno = 0;
  CHECK(mkdir("no/such/parent", 0755) == -1 && errno == ENOENT,
        "mkdir under a missing parent: errno %d", errno);
  char name[64], path[80];
  for (int i = 0; i < ENTRY_COUNT; i++) {
    entry_name(i, name, sizeof name);
    snprintf(path, sizeof path, "many/%s", name);
    if (i % 10 == 0) {
      CHECK_OK(mkdir(path, 0755));
    } else {
      write_file(path, name);
    }
  }
}

/* seen[i] counts how often entry i was listed; returns the count of other,
 * unknown names ("." and ".." are allowed and not counted). */
static int tally(const char *name, size_t len, int *seen) {
  if ((len == 1 && name[0] == '.') ||
      (len == 2 && name[0] == '.' && name[1] == '.'))
    return 0;
  char want[64];
  for (int i = 0; i < ENTRY_COUNT; i++) {
    entry_name(i, want, sizeof want);
    if (strlen(want) == len && memcmp(want, name, len) == 0) {
      seen[i]++;
      return 0;
    }
  }
  fprintf(stderr, "unexpected entry '%.*s'\n", (int)len, name);
  return 1;
}

static void expect_each_once(const int *seen, const char *how) {
  char name[64];
  for (int i = 0; i < ENTRY_COUNT; i++) {
    entry_name(i, name, sizeof name);
    CHECK(seen[i] == 1, "%s: %s listed %d times", how, name, seen[i]);
  }
}

static void libc_readdir(void) {
  DIR *d = opendir("many");
  CHECK(d != NULL, "opendir: %s", strerror(errno));
  int seen[ENTRY_COUNT] = {0}, unknown = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    unknown += tally(e->d_name, strlen(e->d_name), seen);
    int index = -1;
    sscanf(e->d_name, "entry-%d", &index);
    if (index >= 0 && e->d_type != DT_UNKNOWN)
      CHECK(e->d_type == (index % 10 == 0 ? DT_DIR : DT_REG),
            "%s has d_type %d", e->d_name, e->d_type);
  }
  CHECK(unknown == 0, "readdir listed unknown entries");
  expect_each_once(seen, "readdir");
  /* rewinddir starts again from the beginning. */
  rewinddir(d);
  int again = 0;
  while (readdir(d) != NULL)
    again++;
  CHECK(again >= ENTRY_COUNT, "after rewinddir only %d entries", again);
  CHECK_OK(closedir(d));
  errno = 0;
  CHECK(opendir("data.txt") == NULL && errno == ENOTDIR,
        "opendir on a file: errno %d", errno);
}

typedef struct {
  char name[64];
  size_t len;
  __wasi_dircookie_t next; /* cookie of the entry after this one */
  __wasi_filetype_t type;
} listed_entry;

/* Lists DIR from COOKIE with raw fd_readdir and a BUF_SIZE buffer, into OUT
 * (up to CAP entries); returns how many were listed. A buffer that comes back
 * full may end in a cut entry: it is dropped and the listing resumes from the
 * cookie of the last whole one. A buffer too small for even one entry is
 * grown, as wasi-libc does. */
static int raw_list(__wasi_fd_t dir, __wasi_dircookie_t cookie,
                    size_t buf_size, listed_entry *out, int cap) {
  uint8_t storage[4096];
  int count = 0;
  for (int calls = 0;; calls++) {
    CHECK(calls < 10000, "fd_readdir does not make progress");
    CHECK(buf_size <= sizeof storage, "entry too long");
    __wasi_size_t used;
    CHECK_WASI(__wasi_fd_readdir(dir, storage, buf_size, cookie, &used), 0);
    CHECK(used <= buf_size, "bufused %lu > buffer %zu", used, buf_size);
    size_t pos = 0;
    int whole = 0;
    while (pos + HEADER_SIZE <= used) {
      __wasi_dirent_t head;
      memcpy(&head, storage + pos, HEADER_SIZE);
      if (pos + HEADER_SIZE + head.d_namlen > used)
        break; /* cut off by the end of the buffer */
      CHECK(head.d_namlen < 64, "name of %u bytes", head.d_namlen);
      CHECK(count < cap, "more entries than expected");
      listed_entry *e = &out[count++];
      memcpy(e->name, storage + pos + HEADER_SIZE, head.d_namlen);
      e->len = head.d_namlen;
      e->next = head.d_next;
      e->type = head.d_type;
      cookie = head.d_next;
      pos += HEADER_SIZE + head.d_namlen;
      whole++;
    }
    if (used < buf_size)
      return count; /* a short buffer means the end of the directory */
    if (whole == 0)
      buf_size *= 2;
  }
}

static void raw_readdir(void) {
  __wasi_fd_t root = sandbox_fd(), dir;
  CHECK_WASI(open_at(root, "many", __WASI_OFLAGS_DIRECTORY, 0, &dir), 0);
  static listed_entry full[ENTRY_COUNT + 8], part[ENTRY_COUNT + 8];
  const int cap = ENTRY_COUNT + 8;
  int n = raw_list(dir, __WASI_DIRCOOKIE_START, 4096, full, cap);
  int seen[ENTRY_COUNT] = {0}, unknown = 0;
  for (int i = 0; i < n; i++)
    unknown += tally(full[i].name, full[i].len, seen);
  CHECK(unknown == 0, "fd_readdir listed unknown entries");
  expect_each_once(seen, "fd_readdir, big buffer");

  /* The same listing in the same order through small buffers: exactly one
   * header, a header and a bit, and a few odd sizes. */
  const size_t sizes[] = {HEADER_SIZE, HEADER_SIZE + 5, 41, 64, 100, 257};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int m = raw_list(dir, __WASI_DIRCOOKIE_START, sizes[s], part, cap);
    CHECK(m == n, "buffer %zu: %d entries, want %d", sizes[s], m, n);
    for (int i = 0; i < n; i++)
      CHECK(part[i].len == full[i].len &&
                memcmp(part[i].name, full[i].name, full[i].len) == 0,
            "buffer %zu: entry %d differs", sizes[s], i);
  }

  /* Resuming from any entry's cookie lists the rest, in order. */
  for (int k = 0; k < n; k += 17) {
    int m = raw_list(dir, full[k].next, 128, part, cap);
    CHECK(m == n - k - 1, "from cookie of entry %d: %d entries, want %d", k, m,
          n - k - 1);
    for (int i = 0; i < m; i++)
      CHECK(memcmp(part[i].name, full[k + 1 + i].name, part[i].len) == 0,
            "from cookie of entry %d: entry %d differs", k, i);
  }
  /* Past the end: nothing. */
  __wasi_size_t used;
  uint8_t buf[256];
  CHECK_WASI(__wasi_fd_readdir(dir, buf, sizeof buf, full[n - 1].next, &used),
             0);
  CHECK(used == 0, "reading past the end gave %lu bytes", used);

  /* Types are reported. */
  for (int i = 0; i < n; i++) {
    int index = -1;
    if (sscanf(full[i].name, "entry-%d", &index) == 1 && index >= 0)
      CHECK(full[i].type == (index % 10 == 0 ? __WASI_FILETYPE_DIRECTORY
                                             : __WASI_FILETYPE_REGULAR_FILE),
            "%.*s has type %u", (int)full[i].len, full[i].name,
            full[i].type);
  }
  CHECK_WASI(__wasi_fd_close(dir), 0);

  /* fd_readdir on a file is ENOTDIR (or EBADF: not a directory fd). */
  __wasi_fd_t file;
  CHECK_WASI(open_at(root, "data.txt", 0, 0, &file), 0);
  __wasi_errno_t e = __wasi_fd_readdir(file, buf, sizeof buf, 0, &used);
  CHECK(e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_BADF ||
            e == __WASI_ERRNO_NOTCAPABLE,
        "fd_readdir on a file gave %u", e);
  CHECK_WASI(__wasi_fd_close(file), 0);
}

static void empty_and_nested(void) {
  CHECK_OK(mkdir("a", 0755));
  CHECK_OK(mkdir("a/b", 0755));
  CHECK_OK(mkdir("a/b/c", 0755));
  write_file("a/b/c/deep.txt", "deep");
  char buf[16];
  read_file("a/./b/../b/c/deep.txt", buf, sizeof buf);
  CHECK(strcmp(buf, "deep") == 0, "deep.txt via dots: '%s'", buf);
  DIR *d = opendir("a/b/c/../c");
  CHECK(d != NULL, "opendir with ..: %s", strerror(errno));
  int names = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      names++;
  CHECK(names == 1, "a/b/c has %d entries", names);
  CHECK_OK(closedir(d));
  CHECK_OK(mkdir("empty", 0755));
  d = opendir("empty");
  CHECK(d != NULL, "opendir empty");
  while ((e = readdir(d)) != NULL)
    CHECK(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."),
          "empty dir lists '%s'", e->d_name);
  CHECK_OK(closedir(d));
}

int main(void) {
  make_entries();
  libc_readdir();
  raw_readdir();
  empty_and_nested();
  puts("dirs ok");
  return 0;
}
