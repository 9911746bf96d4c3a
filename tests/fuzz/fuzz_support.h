/* Shared by the libFuzzer targets (fuzz_*.c): one engine per process,
 * stub imports, calling every export, and a watchdog that interrupts wasm
 * that runs too long. */
#ifndef WRUN_FUZZ_SUPPORT_H
#define WRUN_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "stub_imports.h"
#include "wrun.h"

/* Per input: a run of wasm code longer than this is interrupted (a trap,
 * not a finding: libFuzzer's own -timeout stays the hang detector). */
#define FUZZ_RUN_MS 200
/* A store's memories stay small: inputs may grow memory in a loop. */
#define FUZZ_MAX_MEMORY (64u << 20)

/* The process's engine, made on first use. */
wrun_engine *fuzz_engine(void);

/* A store with the limits above. */
wrun_store *fuzz_store_new(void);

/* Instantiates m with stub imports and calls every exported function with
 * zero arguments, each bounded by the watchdog. Traps are fine. */
void fuzz_run_exports(wrun_store *store, const wrun_module *m);

/* The process's watchdog (cli/watchdog.h): after arm,
 * wrun_store_interrupt(store) happens once the time is up, unless disarm
 * came first. Disarm before deleting the store.
 * FUEL: once wrun has fuel, a fuel budget set here would bound runs
 * deterministically (same input, same outcome); the watchdog stays for
 * the wast target's loops. */
void fuzz_watchdog_arm(wrun_store *store, long ms);
void fuzz_watchdog_disarm(void);

#endif
