/* Source positions from a module's DWARF line table (dwarf_line.c). */
#ifndef RT_DWARF_LINE_H
#define RT_DWARF_LINE_H

#include <stdbool.h>
#include <stdint.h>

struct rt_module;
typedef struct rt_line_table rt_line_table;

/* The source position of module offset `offset` (a wasm instruction's),
 * from .debug_line, read on the first call; false when the module has
 * none for it. *file lives as long as the module. Thread-safe. */
bool rt_line_of(struct rt_module *m, uint32_t offset, const char **file,
                uint32_t *line, uint32_t *column);
void rt_line_table_free(rt_line_table *t);

#endif
