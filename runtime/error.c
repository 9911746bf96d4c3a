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

/* ---- why the last call failed ---------------------------------------------
 * Constructors return NULL on failure, as wasm.h's do; the reason is kept
 * per thread (as dlerror), so hosts on other threads do not see it. */
static _Thread_local char last_error[256];

void *rt_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return NULL;
}

void *rt_fail_with(wrun_error *err) {
  rt_fail("%s", err ? err->message : "failed");
  wrun_error_delete(err);
  return NULL;
}

const char *wrun_last_error(void) { return last_error; }
