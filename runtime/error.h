/* Error values of the library (wrun_error) and helpers to make them. */
#ifndef RT_ERROR_H
#define RT_ERROR_H

#include <stddef.h>
#include <stdint.h>
#include "wrun.h"

struct wrun_error {
  size_t offset; /* byte offset in the module, SIZE_MAX when none */
  char message[256];
};

/* printf-style; never returns NULL (falls back to a static out-of-memory
 * error when malloc fails). */
wrun_error *rt_error_new(size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define RT_NO_OFFSET SIZE_MAX

/* Records why an API call of this thread fails (wrun_last_error) and
 * returns NULL, for `return rt_fail("...")` in functions that return a
 * pointer. */
void *rt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a wrun_error's message, deleting it. */
void *rt_fail_with(wrun_error *err);

#endif
