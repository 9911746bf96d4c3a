/* The `spectest` host module that the spec scripts import from. */
#ifndef WRUN_CLI_SPECTEST_H
#define WRUN_CLI_SPECTEST_H

#include <stdbool.h>
#include "wrun.h"

/* Creates spectest's functions, globals, table and memory in the store and
 * defines them in the linker under the module name "spectest". The print
 * functions write their arguments to stdout only when verbose. Returns
 * false if the library could not create one of them. */
bool spectest_define(wrun_store *store, wrun_linker *linker, bool verbose);

#endif
