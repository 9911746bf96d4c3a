/* The DWARF of a module's in-memory ELF for gdb (gdb_jit.c): a line
 * table from native pcs to the source lines of the module's own
 * .debug_line, written by gdb_jit_dwarf.c. */
#ifndef RT_GDB_JIT_DWARF_H
#define RT_GDB_JIT_DWARF_H

#include "runtime.h"
#include "serial_io.h"

/* The three sections gdb needs to find a line table: a compile unit
 * (.debug_info, its abbreviations in .debug_abbrev) covering the code,
 * whose DW_AT_stmt_list names the line program (.debug_line). */
typedef struct rt_gdb_dwarf {
  rt_writer abbrev, info, line;
} rt_gdb_dwarf;

/* Writes d for the code c of module m; false (d empty) when m has no
 * line table, the code no pc map, or memory ran out. */
bool rt_gdb_dwarf_build(rt_gdb_dwarf *d, const jit_code *c, rt_module *m);
void rt_gdb_dwarf_free(rt_gdb_dwarf *d);

#endif
