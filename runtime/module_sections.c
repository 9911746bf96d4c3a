/* Custom sections of a module, for hosts that read their own metadata
 * (producers, DWARF, a toolchain's annotations). */
#include "runtime.h"

#include <string.h>

size_t wrun_module_custom_section_count(const wrun_module *mod) {
  return mod ? mod->m->ncustoms : 0;
}

bool wrun_module_custom_section(const wrun_module *mod, size_t i,
                                const char **name, size_t *name_len,
                                const uint8_t **data, size_t *len) {
  if (!mod || i >= mod->m->ncustoms) return false;
  const rt_custom_section *c = &mod->m->customs[i];
  if (name) *name = (const char *)c->name;
  if (name_len) *name_len = c->name_len;
  if (data) *data = c->data;
  if (len) *len = c->len;
  return true;
}

bool wrun_module_custom_section_named(const wrun_module *mod,
                                      const char *name, size_t name_len,
                                      const uint8_t **data, size_t *len) {
  if (!mod || (!name && name_len)) return false;
  for (uint32_t i = 0; i < mod->m->ncustoms; i++) {
    const rt_custom_section *c = &mod->m->customs[i];
    if (c->name_len == name_len &&
        (name_len == 0 || memcmp(c->name, name, name_len) == 0)) {
      if (data) *data = c->data;
      if (len) *len = c->len;
      return true;
    }
  }
  return false;
}
