/* tests/cli/dwarf.sh: a trap three frames deep in a program built with
 * `clang -g`, whose backtrace must name each frame's file and line (the
 * lines marked below); tests/cli/gdb_lines.sh: the same lines in gdb,
 * and `break boom` stopping at boom's first line. */
#include <stdio.h>

__attribute__((noinline)) static void boom(int depth) {
  if (depth == 0) /* line: first */
    __builtin_trap(); /* line: trap */
  boom(depth - 1); /* line: recurse */
}

int main(int argc, char **argv) {
  (void)argv;
  printf("deep\n");
  boom(argc); /* line: call */
  return 0;
}
