/* A wall-clock limit on running wasm, over the public API: a thread that
 * calls wrun_store_interrupt once a deadline passes. The store's wasm then
 * traps with WRUN_TRAP_INTERRUPT ("interrupted") at its next loop
 * iteration or function call.
 *
 * The timer lives here, beside the library rather than in it, as in
 * Wasmtime: the library gives a thread-safe interrupt (Wasmtime's epoch
 * increment), the embedder decides when to send it (the wasmtime command's
 * timeout is a thread too). Used by `wrun --timeout`, tests/fuzz's
 * fuzz-exec and its libFuzzer targets.
 *
 * One watchdog serves one store at a time and may be armed again and
 * again (a libFuzzer target arms it for every input): the thread is made
 * once, in watchdog_new. Arm, disarm and delete come from one thread, the
 * one that runs the store's wasm or deletes the store. */
#ifndef WRUN_CLI_WATCHDOG_H
#define WRUN_CLI_WATCHDOG_H

#include "wrun.h"

typedef struct watchdog watchdog;

/* Starts the thread, disarmed. NULL when a thread, mutex or condition
 * variable cannot be made. */
watchdog *watchdog_new(void);

/* From now, SECONDS (> 0) of wall-clock time (CLOCK_MONOTONIC): then
 * wrun_store_interrupt(store), once, unless disarmed first. Arming again
 * replaces the store and the deadline. */
void watchdog_arm(watchdog *w, wrun_store *store, double seconds);

/* After it returns the watchdog will not touch the store it was armed
 * with: call it before wrun_store_delete. An interrupt already sent stays
 * pending in the store (wrun_store_interrupt), as a timeout should. */
void watchdog_disarm(watchdog *w);

/* Disarms, stops and joins the thread, frees w. NULL is a no-op. */
void watchdog_delete(watchdog *w);

#endif
