/* The expected-failure list of the spec runner (`wrun wast --xfail LIST`).
 *
 * One entry a line, `FILE.wast:LINE  reason`, FILE being the base name of
 * the script; blank lines and `#` comments are ignored. The list may only
 * shrink: an entry whose command no longer fails is reported (XPASS) and
 * counts as a failure, so that fixed tests leave the list. */
#ifndef WRUN_CLI_XFAIL_H
#define WRUN_CLI_XFAIL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct xfail_entry {
  char *file;   /* base name, e.g. "i32.wast" */
  unsigned line;
  bool failed;  /* the command at that line failed in this run */
} xfail_entry;

typedef struct xfail_list {
  xfail_entry *entries;
  size_t count;
  size_t capacity;
} xfail_list;

/* Parses one line of a list. Returns true with *is_entry false for blank
 * and comment lines; false for a malformed line. On an entry, *file is a
 * malloc'd base name (the caller frees it). */
bool xfail_parse_line(const char *text, bool *is_entry, char **file,
                      unsigned *line);

/* Loads a list file; on failure writes a one-line reason to err. */
bool xfail_load(xfail_list *list, const char *path, char *err,
                size_t errsize);
bool xfail_add(xfail_list *list, const char *file, unsigned line);
xfail_entry *xfail_find(xfail_list *list, const char *file, unsigned line);
void xfail_free(xfail_list *list);

#endif
