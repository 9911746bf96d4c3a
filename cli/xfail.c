/* Expected-failure list: parsing and lookup. See xfail.h. */
#include "xfail.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blanks(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

static bool is_line_end(char c) {
  return c == '\0' || c == '\n' || c == '\r' || c == '#';
}

bool xfail_parse_line(const char *text, bool *is_entry, char **file,
                      unsigned *line) {
  *is_entry = false;
  const char *start = skip_blanks(text);
  if (is_line_end(*start))
    return true;
  /* The first word is FILE:LINE; whatever follows is the reason. */
  const char *end = start;
  while (!is_line_end(*end) && *end != ' ' && *end != '\t')
    end++;
  const char *colon = NULL;
  for (const char *p = start; p < end; p++)
    if (*p == ':')
      colon = p;
  if (!colon || colon == start || colon + 1 == end)
    return false;
  unsigned long n = 0;
  bool whole_file = colon + 2 == end && colon[1] == '*';
  for (const char *p = colon + 1; p < end && !whole_file; p++) {
    if (!isdigit((unsigned char)*p))
      return false;
    n = n * 10 + (unsigned long)(*p - '0');
    if (n > 0xffffffffUL)
      return false;
  }
  if (n == 0 && !whole_file)
    return false;
  size_t len = (size_t)(colon - start);
  char *name = malloc(len + 1);
  if (!name)
    return false;
  memcpy(name, start, len);
  name[len] = '\0';
  *file = name;
  *line = (unsigned)n;
  *is_entry = true;
  return true;
}

bool xfail_add(xfail_list *list, const char *file, unsigned line) {
  if (list->count == list->capacity) {
    size_t cap = list->capacity ? list->capacity * 2 : 32;
    xfail_entry *grown = realloc(list->entries, cap * sizeof *grown);
    if (!grown)
      return false;
    list->entries = grown;
    list->capacity = cap;
  }
  char *copy = strdup(file);
  if (!copy)
    return false;
  list->entries[list->count++] = (xfail_entry){copy, line, false};
  return true;
}

bool xfail_load(xfail_list *list, const char *path, char *err,
                size_t errsize) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    return false;
  }
  char buf[1024];
  unsigned lineno = 0;
  bool ok = true;
  while (ok && fgets(buf, sizeof buf, f)) {
    lineno++;
    bool is_entry;
    char *file = NULL;
    unsigned line = 0;
    if (!xfail_parse_line(buf, &is_entry, &file, &line)) {
      snprintf(err, errsize,
               "%s:%u: expected `FILE.wast:LINE  reason` or "
               "`FILE.wast:*  reason`", path, lineno);
      ok = false;
    } else if (is_entry) {
      if (!xfail_add(list, file, line)) {
        snprintf(err, errsize, "%s: out of memory", path);
        ok = false;
      }
      free(file);
    }
    /* A line longer than the buffer: drop its tail (it is the reason). */
    while (ok && !strchr(buf, '\n') && fgets(buf, sizeof buf, f))
      ;
  }
  fclose(f);
  return ok;
}

xfail_entry *xfail_find(xfail_list *list, const char *file, unsigned line) {
  xfail_entry *whole = NULL;
  for (size_t i = 0; i < list->count; i++) {
    xfail_entry *e = &list->entries[i];
    if (strcmp(e->file, file) != 0)
      continue;
    if (e->line == line)
      return e;
    if (e->line == XFAIL_WHOLE_FILE)
      whole = e;
  }
  return whole;
}

void xfail_free(xfail_list *list) {
  for (size_t i = 0; i < list->count; i++)
    free(list->entries[i].file);
  free(list->entries);
  list->entries = NULL;
  list->count = list->capacity = 0;
}
