#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Returned when even the error cannot be allocated; never freed. */
static wrun_error out_of_memory = {RT_NO_OFFSET, "out of memory"};

wrun_error *rt_error_new(size_t offset, const char *fmt, ...) {
  wrun_error *e = malloc(sizeof *e);
  if (!e) return &out_of_memory;
  e->offset = offset;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
  return e;
}

const char *wrun_error_message(const wrun_error *e) { return e->message; }
size_t wrun_error_offset(const wrun_error *e) { return e->offset; }
void wrun_error_delete(wrun_error *e) {
  if (e && e != &out_of_memory) free(e);
}
