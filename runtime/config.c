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

wrun_engine *wrun_engine_new_with_config(const wrun_config *config) {
  wrun_engine *e = calloc(1, sizeof *e);
  if (e && config) e->config = config->settings;
  return e;
}
