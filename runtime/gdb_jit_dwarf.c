/* Source lines for gdb (`wrun -g` on a module built with `clang -g`): the
 * DWARF 4 sections of the in-memory ELF that gdb_jit.c registers, mapping
 * native pcs to the file:line of the wasm instruction they were compiled
 * from (the module's .debug_line, through dwarf_line.c).
 *
 * The pcs come from the pc map (jit/pcmap.h). Compiled with -g, a module
 * that has a line table gets an entry per wasm instruction, at the point
 * its code starts (wrun_config_code_map's map: module_api.c); a module
 * loaded from a .cwasm has what it was compiled with, which is at least
 * every trap site and call, the pcs that frames stop at.
 *
 * One line program: the module's files in its header, then a sequence per
 * function with a row wherever the line changes. The first row, at the
 * function's first byte, holds the line of its body's start (the
 * declaration, as clang puts it first); the row of the first instruction
 * is marked prologue_end, where gdb puts `break FUNCTION`. gdb finds the
 * program through one compile unit covering the module's code (low_pc,
 * high_pc, stmt_list); the functions stay ELF symbols (gdb_jit.c), as
 * DW_TAG_subprogram entries would add nothing gdb uses without types. The
 * sections grow with the rows and files: bounded by the pc map and the
 * module's own table. */
#include "gdb_jit_dwarf.h"

#include <stdlib.h>
#include <string.h>

#include "../jit/pcmap.h"
#include "dwarf_line.h"

enum {
  DW_TAG_compile_unit = 0x11,
  DW_AT_name = 0x03, DW_AT_stmt_list = 0x10, DW_AT_low_pc = 0x11,
  DW_AT_high_pc = 0x12, DW_AT_producer = 0x25,
  DW_FORM_addr = 0x01, DW_FORM_data8 = 0x07, DW_FORM_string = 0x08,
  DW_FORM_sec_offset = 0x17,
  DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3,
  DW_LNS_set_file = 4, DW_LNS_set_prologue_end = 10,
  DW_LNE_end_sequence = 1, DW_LNE_set_address = 2,
};

/* The line program's parameters: the usual ones (gcc's and clang's), with
 * which one byte advances the line by -5..8 and the address by 0..17. */
enum { LINE_BASE = -5, LINE_RANGE = 14, OPCODE_BASE = 13 };
static const uint8_t opcode_lengths[OPCODE_BASE - 1] = {0, 1, 1, 1, 1, 0,
                                                        0, 0, 1, 0, 0, 1};

static void put_uleb(rt_writer *w, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    rt_put_u8(w, (uint8_t)(b | (v ? 0x80 : 0)));
  } while (v);
}

static void put_sleb(rt_writer *w, int64_t v) {
  for (;;) {
    uint8_t b = (uint8_t)(v & 0x7f);
    v >>= 7; /* arithmetic on the compilers wrun supports */
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    rt_put_u8(w, (uint8_t)(b | (done ? 0 : 0x80)));
    if (done) return;
  }
}

static void put_u16(rt_writer *w, uint16_t v) {
  rt_put_u8(w, (uint8_t)v);
  rt_put_u8(w, (uint8_t)(v >> 8));
}

static void put_string(rt_writer *w, const char *s) {
  rt_put_bytes(w, s, strlen(s) + 1);
}

/* Overwrites the u32 at `at` (a length written before its contents). */
static void patch_u32(rt_writer *w, size_t at, uint32_t v) {
  if (w->oom) return;
  for (int i = 0; i < 4; i++) w->data[at + i] = (uint8_t)(v >> (8 * i));
}

/* ---- the line program ---------------------------------------------------- */

/* The state machine of the program being written, and the row waiting to
 * be written: rows at the same pc replace each other (instructions that
 * emitted no code), so that only the last, whose code is there, stays. */
typedef struct line_writer {
  rt_writer *w;
  uint64_t address; /* the state machine's, after the last row written */
  uint32_t file, line;
  bool pending, pending_prologue_end;
  uint64_t pending_address;
  uint32_t pending_file, pending_line;
} line_writer;

static void flush_row(line_writer *lw) {
  if (!lw->pending) return;
  rt_writer *w = lw->w;
  if (lw->pending_file != lw->file) {
    rt_put_u8(w, DW_LNS_set_file);
    put_uleb(w, lw->pending_file);
    lw->file = lw->pending_file;
  }
  if (lw->pending_prologue_end) rt_put_u8(w, DW_LNS_set_prologue_end);
  uint64_t advance = lw->pending_address - lw->address;
  int64_t delta = (int64_t)lw->pending_line - (int64_t)lw->line;
  if (delta >= LINE_BASE && delta < LINE_BASE + LINE_RANGE &&
      advance <= (255 - OPCODE_BASE) / LINE_RANGE &&
      (delta - LINE_BASE) + LINE_RANGE * (int64_t)advance + OPCODE_BASE <=
          255) {
    /* a special opcode: advance both and append the row, in one byte */
    rt_put_u8(w, (uint8_t)((delta - LINE_BASE) +
                           LINE_RANGE * (int64_t)advance + OPCODE_BASE));
  } else {
    if (advance) {
      rt_put_u8(w, DW_LNS_advance_pc);
      put_uleb(w, advance);
    }
    if (delta) {
      rt_put_u8(w, DW_LNS_advance_line);
      put_sleb(w, delta);
    }
    rt_put_u8(w, DW_LNS_copy);
  }
  lw->address = lw->pending_address;
  lw->line = lw->pending_line;
  lw->pending = false;
}

/* A row at address for (file, line) (table indices and lines), unless
 * the previous row already says so; prologue_end rows always stay. */
static void add_row(line_writer *lw, uint64_t address, uint32_t file,
                    uint32_t line, bool prologue_end) {
  if (address < (lw->pending ? lw->pending_address : lw->address)) return;
  if (lw->pending && lw->pending_address == address) {
    prologue_end |= lw->pending_prologue_end;
    lw->pending = false; /* replaced by this row */
  } else {
    flush_row(lw);
    if (!prologue_end && lw->file == file + 1 && lw->line == line) return;
  }
  lw->pending = true;
  lw->pending_prologue_end = prologue_end;
  lw->pending_address = address;
  lw->pending_file = file + 1; /* DWARF 4 numbers files from 1 */
  lw->pending_line = line;
}

static void set_address(rt_writer *w, uint64_t address) {
  rt_put_u8(w, 0); /* an extended opcode of 9 bytes */
  put_uleb(w, 9);
  rt_put_u8(w, DW_LNE_set_address);
  rt_put_u64(w, address);
}

static void end_sequence(rt_writer *w) {
  rt_put_u8(w, 0); /* an extended opcode of 1 byte */
  put_uleb(w, 1);
  rt_put_u8(w, DW_LNE_end_sequence);
}

/* The sequence of defined function i: false when none of its pcs has a
 * line (no sequence, gdb shows no line there). */
static bool write_function(rt_writer *w, const jit_code *c,
                           const rt_module *m, const rt_line_table *t,
                           uint32_t i) {
  uint32_t start = c->func_offsets[i];
  uint32_t end = i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                   : (uint32_t)c->size;
  uint32_t body = m->funcs[m->nimported_funcs + i].body_offset;
  uint32_t from = c->pcmap_starts[i];
  uint32_t to = i + 1 < c->nfuncs ? c->pcmap_starts[i + 1] : c->pcmap_size;
  uint64_t base = (uint64_t)(uintptr_t)c->mem;
  uint32_t entry_file, entry_line;
  size_t hint = 0;
  bool have_entry = rt_line_table_find(t, body, &hint, &entry_file,
                                       &entry_line);

  line_writer lw = {.w = w, .address = base + start, .file = 1, .line = 1};
  bool started = false, first_instruction = true;
  jit_pcmap_cursor cur = {c->pcmap + from, c->pcmap + to, start, body};
  uint32_t pc, wasm, file, line;
  while (jit_pcmap_next(&cur, &pc, &wasm)) {
    if (pc < start || pc >= end) break; /* not this function's: garbled */
    /* The body's start is the function entry: the out-of-line stack
     * overflow trap after the code, with the entry's line. */
    if (wasm == body) {
      if (!have_entry) continue;
      file = entry_file, line = entry_line;
    } else if (!rt_line_table_find(t, wasm, &hint, &file, &line)) {
      continue; /* no line of its own: the previous row's holds */
    }
    if (!started) {
      uint64_t at = base + start;
      set_address(w, at);
      started = true;
      if (pc > start)
        add_row(&lw, at, have_entry ? entry_file : file,
                have_entry ? entry_line : line, false);
    }
    add_row(&lw, base + pc, file, line, first_instruction && wasm != body);
    if (wasm != body) first_instruction = false;
  }
  if (!started) return false;
  flush_row(&lw);
  if (base + end > lw.address) {
    rt_put_u8(w, DW_LNS_advance_pc);
    put_uleb(w, base + end - lw.address);
  }
  end_sequence(w);
  return true;
}

/* The unit: header (its files), then the functions' sequences. */
static bool write_line_program(rt_writer *w, const jit_code *c,
                               rt_module *m) {
  const rt_line_table *t = rt_line_table_get(m);
  if (!t) return false;
  const char *const *files;
  size_t nfiles = rt_line_table_files(t, &files);
  rt_put_u32(w, 0); /* unit_length, patched */
  put_u16(w, 4);    /* version */
  size_t header_length_at = w->len;
  rt_put_u32(w, 0); /* header_length, patched */
  size_t header_start = w->len;
  rt_put_u8(w, 1); /* minimum_instruction_length */
  rt_put_u8(w, 1); /* maximum_operations_per_instruction */
  rt_put_u8(w, 1); /* default_is_stmt */
  rt_put_u8(w, (uint8_t)(int8_t)LINE_BASE);
  rt_put_u8(w, LINE_RANGE);
  rt_put_u8(w, OPCODE_BASE);
  rt_put_bytes(w, opcode_lengths, sizeof opcode_lengths);
  rt_put_u8(w, 0); /* include_directories: none, the names are whole */
  for (size_t k = 0; k < nfiles; k++) {
    put_string(w, *files[k] ? files[k] : "?");
    put_uleb(w, 0); /* directory: the compilation's */
    put_uleb(w, 0); /* modification time, unknown */
    put_uleb(w, 0); /* length, unknown */
  }
  rt_put_u8(w, 0);
  size_t program_start = w->len;
  bool any = false;
  for (uint32_t i = 0; i < c->nfuncs; i++) any |= write_function(w, c, m, t, i);
  if (!any || w->oom || w->len > UINT32_MAX) return false;
  patch_u32(w, header_length_at, (uint32_t)(program_start - header_start));
  patch_u32(w, 0, (uint32_t)(w->len - 4));
  return true;
}

/* ---- the compile unit ---------------------------------------------------- */

static void write_abbrev(rt_writer *w) {
  put_uleb(w, 1); /* abbreviation 1: the unit, no children */
  put_uleb(w, DW_TAG_compile_unit);
  rt_put_u8(w, 0);
  static const uint8_t attrs[][2] = {
      {DW_AT_producer, DW_FORM_string}, {DW_AT_name, DW_FORM_string},
      {DW_AT_stmt_list, DW_FORM_sec_offset}, {DW_AT_low_pc, DW_FORM_addr},
      {DW_AT_high_pc, DW_FORM_data8}, /* DWARF 4: a length */
  };
  for (size_t k = 0; k < sizeof attrs / sizeof attrs[0]; k++) {
    put_uleb(w, attrs[k][0]);
    put_uleb(w, attrs[k][1]);
  }
  put_uleb(w, 0), put_uleb(w, 0);
  put_uleb(w, 0); /* end of the abbreviations */
}

static void write_info(rt_writer *w, const jit_code *c, const rt_module *m) {
  rt_put_u32(w, 0); /* unit_length, patched */
  put_u16(w, 4);    /* version */
  rt_put_u32(w, 0); /* debug_abbrev_offset */
  rt_put_u8(w, 8);  /* address_size */
  put_uleb(w, 1);
  put_string(w, "wrun");
  put_string(w, m->module_name ? m->module_name : "wasm");
  rt_put_u32(w, 0); /* the line program at .debug_line's start */
  rt_put_u64(w, (uint64_t)(uintptr_t)c->mem);
  rt_put_u64(w, c->size);
  rt_put_u8(w, 0); /* padding: no more entries */
  patch_u32(w, 0, (uint32_t)(w->len - 4));
}

bool rt_gdb_dwarf_build(rt_gdb_dwarf *d, const jit_code *c, rt_module *m) {
  *d = (rt_gdb_dwarf){0};
  if (!c->pcmap || !c->nfuncs) return false;
  if (!write_line_program(&d->line, c, m)) {
    rt_gdb_dwarf_free(d);
    return false;
  }
  write_abbrev(&d->abbrev);
  write_info(&d->info, c, m);
  if (d->abbrev.oom || d->info.oom) {
    rt_gdb_dwarf_free(d);
    return false;
  }
  return true;
}

void rt_gdb_dwarf_free(rt_gdb_dwarf *d) {
  free(d->abbrev.data);
  free(d->info.data);
  free(d->line.data);
  *d = (rt_gdb_dwarf){0};
}
