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

#endif
