/* Engine configuration: a wrun_config collects settings, and an engine
 * copies them once when it is made, so they hold for everything compiled
 * and instantiated through that engine. */
#include "runtime.h"

#include <stdlib.h>

struct wrun_config {
  rt_config settings;
};

wrun_config *wrun_config_new(void) { return calloc(1, sizeof(wrun_config)); }

void wrun_config_delete(wrun_config *config) { free(config); }

void wrun_config_consume_fuel(wrun_config *config, bool enable) {
  if (config) config->settings.consume_fuel = enable;
}

void wrun_config_deterministic(wrun_config *config, bool enable) {
  if (config) config->settings.deterministic = enable;
}

void wrun_config_bounds_checks(wrun_config *config, bool enable) {
  if (config) config->settings.bounds_checks = enable;
}

void wrun_config_memory_reservation(wrun_config *config, uint64_t bytes) {
  if (config) config->settings.memory_reservation = bytes;
}

void wrun_config_memory_guard(wrun_config *config, uint64_t bytes) {
  if (config) config->settings.memory_guard = bytes;
}

void wrun_config_signals_based_traps(wrun_config *config, bool enable) {
  if (config) config->settings.no_signals = !enable;
}

void wrun_config_debug_info(wrun_config *config, bool enable) {
  if (config) config->settings.debug_info = enable;
}

void wrun_config_code_map(wrun_config *config, bool every_instruction) {
  if (config) config->settings.code_map = every_instruction;
}

void wrun_config_profiler(wrun_config *config, wrun_profiler profiler) {
  if (config && (unsigned)profiler <= WRUN_PROFILER_JITDUMP)
    config->settings.profiler = (uint8_t)profiler;
}

void wrun_config_jobs(wrun_config *config, unsigned jobs) {
  if (config) config->settings.jobs = jobs;
}

/* The defaults, 4 GiB each, are the guarded reservation: a u32 address
 * and a u32 offset can reach no further. Anything less needs the checks.
 * A guard under 64 KiB is raised to it: a checked access compares only
 * its address when its offset and width fit in the guard. Without
 * signals every access is checked exactly and no guard is relied on, so
 * the default guard is the smallest (kept: a stray access of a runtime
 * bug still faults). */
rt_memory_strategy rt_config_memory_strategy(const rt_config *c) {
  const uint64_t four_gib = (uint64_t)4 << 30, min_guard = 65536;
  uint64_t reservation = c->memory_reservation ? c->memory_reservation
                                               : four_gib;
  uint64_t guard = c->memory_guard  ? c->memory_guard
                   : c->no_signals ? min_guard
                                   : four_gib;
  reservation = (reservation + RT_PAGE_SIZE - 1) / RT_PAGE_SIZE * RT_PAGE_SIZE;
  if (reservation > RT_MEMORY64_MAX_BYTES) reservation = RT_MEMORY64_MAX_BYTES;
  guard = guard < min_guard ? min_guard
                            : (guard + min_guard - 1) / min_guard * min_guard;
  if (guard > four_gib) guard = four_gib;
  bool checks = c->bounds_checks || c->no_signals || reservation < four_gib ||
                guard < four_gib;
  return (rt_memory_strategy){checks, reservation, guard};
}

rt_memory_strategy rt_store_memory_strategy(const wrun_store *s) {
  static const rt_config defaults;
  return rt_config_memory_strategy(s && s->engine ? &s->engine->config
                                                  : &defaults);
}

wrun_engine *wrun_engine_new_with_config(const wrun_config *config) {
  wrun_engine *e = calloc(1, sizeof *e);
  if (e && config) e->config = config->settings;
  return e;
}
