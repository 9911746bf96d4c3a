/* Stub imports for running arbitrary modules in tests (the mutation test,
 * the libFuzzer targets): every import made of its own declared type,
 * functions answering zeros, tables, memories and globals fresh and
 * zeroed. */
#ifndef FUZZ_STUB_IMPORTS_H
#define FUZZ_STUB_IMPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "wrun.h"

/* The zero value of a type (0, +0.0, a null reference). */
wrun_val fuzz_zero_of(wrun_valtype type);
/* Import i of m as a stub in store; false when it cannot be made. */
bool fuzz_stub_import(wrun_store *store, const wrun_module *m, size_t i,
                      wrun_extern *out);

#endif
