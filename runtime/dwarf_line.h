/* Source positions from a module's DWARF line table (dwarf_line.c). */
#ifndef RT_DWARF_LINE_H
#define RT_DWARF_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt_module;
typedef struct rt_line_table rt_line_table;

/* The source position of module offset `offset` (a wasm instruction's),
 * from .debug_line, read on the first call; false when the module has
 * none for it. *file lives as long as the module. Thread-safe. */
bool rt_line_of(struct rt_module *m, uint32_t offset, const char **file,
                uint32_t *line, uint32_t *column);
/* Whether m has a .debug_line section (not whether it parses). */
bool rt_has_line_section(const struct rt_module *m);
/* For writers of line tables (gdb_jit_dwarf.c), without a lock per
 * lookup: m's table (read now if not yet), NULL when it has none; its
 * file names; and the position of offset as an index into them. *hint
 * (start it at 0) makes lookups in address order cheap. */
const rt_line_table *rt_line_table_get(struct rt_module *m);
size_t rt_line_table_files(const rt_line_table *t, const char *const **files);
bool rt_line_table_find(const rt_line_table *t, uint32_t offset,
                        size_t *hint, uint32_t *file, uint32_t *line);
void rt_line_table_free(rt_line_table *t);

#endif
