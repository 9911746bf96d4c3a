/* exit: the exit status a program leaves. argv[1] picks the way out:
 *   proc_exit3  raw proc_exit(3): status 3, nothing after it runs
 *   return0     return 0 from main: status 0
 *   return7     return 7 from main: status 7
 *   exit42      libc exit(42): status 42, stdio flushed on the way
 * Each prints "before exit" first and must not print "after exit". */
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: exit.wasm proc_exit3|return0|return7|exit42");
  const char *how = argv[1];
  printf("before exit\n");
  if (strcmp(how, "proc_exit3") == 0) {
    fflush(stdout);
    __wasi_proc_exit(3);
  } else if (strcmp(how, "return0") == 0) {
    return 0;
  } else if (strcmp(how, "return7") == 0) {
    return 7;
  } else if (strcmp(how, "exit42") == 0) {
    exit(42); /* leaves "before exit" in the stdio buffer for exit to flush */
  } else {
    CHECK(0, "unknown way out '%s'", how);
  }
  printf("after exit\n");
  return 99;
}
