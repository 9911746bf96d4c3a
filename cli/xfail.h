/* The expected-failure list of the spec runner (`wrun wast --xfail LIST`).
 *
 * One entry a line, `FILE.wast:LINE  reason`, FILE being the base name of
 * the script, or `FILE.wast:*  reason` for the whole file: then every
 * failing command of the file not listed by line is expected. Blank lines
 * and `#` comments are ignored. The list may only shrink: an entry whose
 * command no longer fails, and a whole-file entry of a file where nothing
 * fails, is reported (XPASS) and counts as a failure, so that fixed tests
 * leave the list. */
#ifndef WRUN_CLI_XFAIL_H
#define WRUN_CLI_XFAIL_H

#include <stdbool.h>
#include <stddef.h>

/* The line of a whole-file entry (`FILE.wast:*`): no command is at line 0
 * (a failure of the whole script, which could not be read, is recorded
 * there, and a whole-file entry covers it). */
#define XFAIL_WHOLE_FILE 0u

typedef struct xfail_entry {
  char *file;   /* base name, e.g. "i32.wast" */
  unsigned line; /* or XFAIL_WHOLE_FILE */
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
/* The entry for a failed command: the one of its line, else the file's
 * whole-file entry; NULL if neither is listed. */
xfail_entry *xfail_find(xfail_list *list, const char *file, unsigned line);
void xfail_free(xfail_list *list);

#endif
