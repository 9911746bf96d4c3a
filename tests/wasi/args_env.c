/* args/env: argv and environ as given on the command line, and the raw
 * args_sizes_get/args_get and environ_sizes_get/environ_get agreeing with
 * them. The harness runs:
 *   args_env.wasm alpha 'two words' '' ünïcode
 * with --env GREETING=hello --env EMPTY= --env WITH_EQ=a=b (and the harness's
 * own OUTSIDE_ABS), and compares stdout with args_env.stdout. */
#include "check.h"

extern char **environ;

static const char *basename_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void check_raw_args(int argc, char **argv) {
  __wasi_size_t count, size;
  CHECK_WASI(__wasi_args_sizes_get(&count, &size), 0);
  CHECK((int)count == argc, "args_sizes_get says %lu args, argc is %d", count,
        argc);
  char *ptrs[64];
  char buf[1024];
  CHECK(count < 64 && size <= sizeof buf, "too many args");
  CHECK_WASI(__wasi_args_get((uint8_t **)ptrs, (uint8_t *)buf), 0);
  size_t total = 0;
  for (int i = 0; i < argc; i++) {
    CHECK(strcmp(ptrs[i], argv[i]) == 0, "arg %d: '%s' vs '%s'", i, ptrs[i],
          argv[i]);
    CHECK(ptrs[i] >= buf && ptrs[i] < buf + size, "arg %d outside buffer", i);
    total += strlen(argv[i]) + 1;
  }
  CHECK(total == size, "args_sizes_get size %lu, strings take %zu", size,
        total);
}

static void check_raw_env(void) {
  __wasi_size_t count, size;
  CHECK_WASI(__wasi_environ_sizes_get(&count, &size), 0);
  char *ptrs[64];
  char buf[4096];
  CHECK(count < 64 && size <= sizeof buf, "too many env vars");
  CHECK_WASI(__wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf), 0);
  size_t total = 0;
  int env_count = 0;
  for (char **e = environ; *e; e++)
    env_count++;
  CHECK((int)count == env_count, "environ_sizes_get %lu, environ has %d",
        count, env_count);
  for (size_t i = 0; i < count; i++) {
    CHECK(strchr(ptrs[i], '=') != NULL, "env entry without '=': %s", ptrs[i]);
    total += strlen(ptrs[i]) + 1;
  }
  CHECK(total == size, "environ_sizes_get size %lu, strings take %zu", size,
        total);
}

static void expect_env(const char *name, const char *value) {
  const char *got = getenv(name);
  CHECK(got != NULL, "%s is not set", name);
  CHECK(strcmp(got, value) == 0, "%s='%s', want '%s'", name, got, value);
}

int main(int argc, char **argv) {
  CHECK(argc >= 1, "no argv[0]");
  /* argv[0] names the module; runtimes differ on whether it keeps the
   * directory, so only the file name is compared. */
  CHECK(strcmp(basename_of(argv[0]), "args_env.wasm") == 0, "argv[0] is '%s'",
        argv[0]);
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++)
    printf("argv[%d]=<%s>\n", i, argv[i]);
  CHECK(argv[argc] == NULL, "argv not NULL-terminated");
  check_raw_args(argc, argv);

  expect_env("GREETING", "hello");
  expect_env("EMPTY", "");
  expect_env("WITH_EQ", "a=b");
  CHECK(getenv("OUTSIDE_ABS") != NULL, "OUTSIDE_ABS not set");
  /* Only what was asked for is passed: the host's PATH/HOME are not. */
  CHECK(getenv("PATH") == NULL, "PATH leaked in: %s", getenv("PATH"));
  CHECK(getenv("HOME") == NULL, "HOME leaked in: %s", getenv("HOME"));
  check_raw_env();
  printf("GREETING=%s\n", getenv("GREETING"));
  return 0;
}
