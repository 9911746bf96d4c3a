/* `wrun wast`: runs WebAssembly spec-test scripts (.wast files). */
#ifndef WRUN_CLI_WAST_H
#define WRUN_CLI_WAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* argv holds the arguments after the word `wast`:
 *   [--xfail LIST] [--quiet] [--verbose] [--deterministic] FILE.wast...
 * Prints one line per failure and the totals last; returns the process
 * exit status (0 iff nothing failed). */
int wast_main(int argc, char **argv);

/* Reads a whole file into a malloc'd buffer. On failure returns false with
 * errno set. */
bool cli_read_file(const char *path, uint8_t **bytes, size_t *len);

#endif
