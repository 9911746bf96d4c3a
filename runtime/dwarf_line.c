/* Source positions for backtraces: the DWARF line table (.debug_line, and
 * .debug_line_str for version 5's strings) that `clang -g` puts in a
 * module's custom sections, DWARF versions 2 to 5, 32- and 64-bit.
 *
 * Wasm DWARF addresses are offsets into the code section's contents (from
 * its function count on: WebAssembly/tool-conventions, Debugging.md). The
 * line programs are run once, on the first backtrace of a module that asks
 * for a position, into ranges sorted by address; a lookup is a binary
 * search. Everything is read with bounds checks: a garbled section gives
 * fewer positions, never a fault. */
#include "dwarf_line.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

typedef struct line_range {
  uint32_t start, end; /* module offsets, end exclusive */
  uint32_t file, line, column;
} line_range;

struct rt_line_table {
  line_range *ranges;
  size_t n, cap;
  char **files; /* the table's file names, shared by all units */
  size_t nfiles, cap_files;
};

/* ---- a bounds-checked reader --------------------------------------------- */

typedef struct cursor {
  const uint8_t *p, *end;
  bool bad;
} cursor;

static uint64_t get_n(cursor *c, unsigned n) {
  if ((size_t)(c->end - c->p) < n) {
    c->bad = true;
    c->p = c->end;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)c->p[i] << (8 * i);
  c->p += n;
  return v;
}

static uint64_t get_uleb(cursor *c) {
  uint64_t v = 0;
  for (unsigned shift = 0; c->p < c->end; shift += 7) {
    uint8_t b = *c->p++;
    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  c->bad = true;
  return 0;
}

static int64_t get_sleb(cursor *c) {
  int64_t v = 0;
  unsigned shift = 0;
  for (; c->p < c->end; shift += 7) {
    uint8_t b = *c->p++;
    if (shift < 64) v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
    if (!(b & 0x80)) {
      if ((b & 0x40) && shift + 7 < 64) v |= -((int64_t)1 << (shift + 7));
      return v;
    }
  }
  c->bad = true;
  return 0;
}

static const char *get_str(cursor *c) {
  const uint8_t *s = c->p;
  const uint8_t *nul = memchr(s, 0, (size_t)(c->end - s));
  if (!nul) {
    c->bad = true;
    c->p = c->end;
    return "";
  }
  c->p = nul + 1;
  return (const char *)s;
}

/* ---- building the table ---------------------------------------------------- */

static uint32_t add_file(rt_line_table *t, const char *dir, const char *name) {
  if (t->nfiles == t->cap_files) {
    size_t cap = t->cap_files ? 2 * t->cap_files : 16;
    char **f = realloc(t->files, cap * sizeof *f);
    if (!f) return UINT32_MAX;
    t->files = f;
    t->cap_files = cap;
  }
  size_t nd = dir && *dir && name[0] != '/' ? strlen(dir) : 0;
  char *s = malloc(nd + 1 + strlen(name) + 1);
  if (!s) return UINT32_MAX;
  if (nd) {
    memcpy(s, dir, nd);
    s[nd] = '/';
    strcpy(s + nd + 1, name);
  } else {
    strcpy(s, name);
  }
  t->files[t->nfiles] = s;
  return (uint32_t)t->nfiles++;
}

static void add_range(rt_line_table *t, uint64_t start, uint64_t end,
                      uint32_t file, uint64_t line, uint64_t column) {
  if (end <= start || end > UINT32_MAX || file == UINT32_MAX) return;
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 256;
    line_range *r = realloc(t->ranges, cap * sizeof *r);
    if (!r) return;
    t->ranges = r;
    t->cap = cap;
  }
  t->ranges[t->n++] = (line_range){(uint32_t)start, (uint32_t)end, file,
                                   (uint32_t)line, (uint32_t)column};
}

/* A DWARF 5 attribute value of form `form` (line tables use few): a
 * string (through .debug_line_str or .debug_str when an offset) or a
 * number; other forms are skipped. */
enum {
  DW_FORM_block = 0x09, DW_FORM_data1 = 0x0b, DW_FORM_data2 = 0x05,
  DW_FORM_data4 = 0x06, DW_FORM_data8 = 0x07, DW_FORM_data16 = 0x1e,
  DW_FORM_string = 0x08, DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f,
  DW_FORM_line_strp = 0x1f,
};

static const char *str_at(const rt_custom_section *sec, uint64_t off) {
  if (!sec || off >= sec->len) return "";
  const uint8_t *s = sec->data + off;
  return memchr(s, 0, sec->len - off) ? (const char *)s : "";
}

static void get_form(cursor *c, uint64_t form, unsigned offset_size,
                     const rt_custom_section *line_str,
                     const rt_custom_section *str, const char **s,
                     uint64_t *n) {
  switch (form) {
  case DW_FORM_string: *s = get_str(c); break;
  case DW_FORM_line_strp: *s = str_at(line_str, get_n(c, offset_size)); break;
  case DW_FORM_strp: *s = str_at(str, get_n(c, offset_size)); break;
  case DW_FORM_udata: *n = get_uleb(c); break;
  case DW_FORM_data1: *n = get_n(c, 1); break;
  case DW_FORM_data2: *n = get_n(c, 2); break;
  case DW_FORM_data4: *n = get_n(c, 4); break;
  case DW_FORM_data8: *n = get_n(c, 8); break;
  case DW_FORM_data16: get_n(c, 8), get_n(c, 8); break;
  case DW_FORM_block: {
    uint64_t len = get_uleb(c);
    if (len > (uint64_t)(c->end - c->p)) c->bad = true;
    else c->p += len;
    break;
  }
  default: c->bad = true; break;
  }
}

enum { DW_LNCT_path = 1, DW_LNCT_directory_index = 2 };

/* Version 5's directory or file entries: a format, then the entries. */
static bool read_entries_v5(cursor *c, unsigned offset_size,
                            const rt_custom_section *line_str,
                            const rt_custom_section *str, const char ***out,
                            uint64_t **dirs, uint64_t *count) {
  uint8_t nformat = (uint8_t)get_n(c, 1);
  uint64_t types[16], forms[16];
  if (nformat > 16) return false;
  for (unsigned k = 0; k < nformat; k++) {
    types[k] = get_uleb(c);
    forms[k] = get_uleb(c);
  }
  uint64_t n = get_uleb(c);
  if (c->bad || n > (uint64_t)(c->end - c->p)) return false;
  const char **names = calloc(n ? n : 1, sizeof *names);
  uint64_t *dir = calloc(n ? n : 1, sizeof *dir);
  if (!names || !dir) {
    free(names);
    free(dir);
    return false;
  }
  for (uint64_t i = 0; i < n && !c->bad; i++) {
    names[i] = "";
    for (unsigned k = 0; k < nformat; k++) {
      const char *s = NULL;
      uint64_t v = 0;
      get_form(c, forms[k], offset_size, line_str, str, &s, &v);
      if (types[k] == DW_LNCT_path && s) names[i] = s;
      if (types[k] == DW_LNCT_directory_index) dir[i] = v;
    }
  }
  *out = names;
  *dirs = dir;
  *count = n;
  return !c->bad;
}

enum {
  DW_LNS_copy = 1, DW_LNS_advance_pc, DW_LNS_advance_line, DW_LNS_set_file,
  DW_LNS_set_column, DW_LNS_negate_stmt, DW_LNS_set_basic_block,
  DW_LNS_const_add_pc, DW_LNS_fixed_advance_pc, DW_LNS_set_prologue_end,
  DW_LNS_set_epilogue_begin, DW_LNS_set_isa,
  DW_LNE_end_sequence = 1, DW_LNE_set_address, DW_LNE_define_file,
};

/* One unit's header and program, [c->p, unit end). */
static void read_unit(rt_line_table *t, cursor *c, uint32_t base,
                      const rt_custom_section *line_str,
                      const rt_custom_section *str) {
  unsigned offset_size = 4;
  uint64_t len = get_n(c, 4);
  if (len == 0xffffffffu) {
    offset_size = 8;
    len = get_n(c, 8);
  }
  if (c->bad || len > (uint64_t)(c->end - c->p)) {
    c->bad = true;
    return;
  }
  cursor u = {c->p, c->p + len, false};
  c->p += len;
  unsigned version = (unsigned)get_n(&u, 2);
  if (version < 2 || version > 5) return;
  if (version >= 5) get_n(&u, 2); /* address and segment selector sizes */
  uint64_t header_len = get_n(&u, offset_size);
  if (header_len > (uint64_t)(u.end - u.p)) return;
  const uint8_t *program = u.p + header_len;
  uint8_t min_insn = (uint8_t)get_n(&u, 1);
  if (version >= 4) get_n(&u, 1); /* max ops per instruction: VLIW only */
  bool default_stmt = get_n(&u, 1) != 0;
  (void)default_stmt;
  int8_t line_base = (int8_t)get_n(&u, 1);
  uint8_t line_range = (uint8_t)get_n(&u, 1);
  uint8_t opcode_base = (uint8_t)get_n(&u, 1);
  uint8_t lengths[256] = {0};
  for (unsigned k = 1; k < opcode_base; k++) lengths[k] = (uint8_t)get_n(&u, 1);
  if (u.bad || line_range == 0) return;

  /* the unit's files, as indices into t->files */
  uint32_t *files = NULL;
  size_t nfiles = 0;
  if (version >= 5) {
    const char **dnames = NULL, **fnames = NULL;
    uint64_t *ddirs = NULL, *fdirs = NULL, ndirs = 0, nf = 0;
    bool ok = read_entries_v5(&u, offset_size, line_str, str, &dnames,
                              &ddirs, &ndirs) &&
              read_entries_v5(&u, offset_size, line_str, str, &fnames,
                              &fdirs, &nf);
    if (ok && (files = calloc(nf ? nf : 1, sizeof *files))) {
      for (uint64_t i = 0; i < nf; i++)
        files[i] = add_file(t, fdirs[i] < ndirs ? dnames[fdirs[i]] : NULL,
                            fnames[i]);
      nfiles = nf;
    }
    free(dnames), free(ddirs), free(fnames), free(fdirs);
  } else {
    const char *dirs[256];
    size_t ndirs = 1;
    dirs[0] = NULL; /* index 0: the compilation directory, unknown here */
    for (;;) {
      const char *d = get_str(&u);
      if (u.bad || !*d) break;
      if (ndirs < 256) dirs[ndirs++] = d;
    }
    size_t cap = 0;
    files = NULL;
    /* version 2-4 files count from 1 */
    for (;;) {
      const char *name = get_str(&u);
      if (u.bad || !*name) break;
      uint64_t d = get_uleb(&u);
      get_uleb(&u), get_uleb(&u); /* mtime, length */
      if (nfiles + 1 >= cap) {
        cap = cap ? 2 * cap : 16;
        uint32_t *f = realloc(files, cap * sizeof *f);
        if (!f) break;
        files = f;
      }
      if (nfiles == 0) files[nfiles++] = UINT32_MAX; /* index 0 */
      files[nfiles++] = add_file(t, d < ndirs ? dirs[d] : NULL, name);
    }
  }

  /* the line program */
  cursor p = {program, u.end, false};
  uint64_t address = 0, line = 1, column = 0, file = 1;
  uint64_t row_address = 0, row_line = 0, row_column = 0, row_file = 0;
  bool have_row = false;
#define FILE_OF(f) ((f) < nfiles ? files[f] : UINT32_MAX)
#define EMIT_ROW()                                                          \
  do {                                                                      \
    if (have_row)                                                           \
      add_range(t, base + row_address, base + address, FILE_OF(row_file),  \
                row_line, row_column);                                      \
    row_address = address, row_line = line, row_column = column;           \
    row_file = file;                                                        \
    have_row = true;                                                        \
  } while (0)
  while (p.p < p.end && !p.bad) {
    uint8_t op = (uint8_t)get_n(&p, 1);
    if (op >= opcode_base) {
      uint8_t adj = (uint8_t)(op - opcode_base);
      address += (uint64_t)(adj / line_range) * min_insn;
      line += (int64_t)line_base + adj % line_range;
      EMIT_ROW();
      continue;
    }
    switch (op) {
    case 0: {
      uint64_t n = get_uleb(&p);
      if (n == 0 || n > (uint64_t)(p.end - p.p)) {
        p.bad = true;
        break;
      }
      const uint8_t *next = p.p + n;
      uint8_t sub = (uint8_t)get_n(&p, 1);
      if (sub == DW_LNE_end_sequence) {
        EMIT_ROW();
        have_row = false;
        address = 0, line = 1, column = 0, file = 1;
      } else if (sub == DW_LNE_set_address) {
        address = get_n(&p, (unsigned)(n - 1 > 8 ? 8 : n - 1));
      }
      p.p = next;
      break;
    }
    case DW_LNS_copy: EMIT_ROW(); break;
    case DW_LNS_advance_pc: address += get_uleb(&p) * min_insn; break;
    case DW_LNS_advance_line: line += (uint64_t)get_sleb(&p); break;
    case DW_LNS_set_file: file = get_uleb(&p); break;
    case DW_LNS_set_column: column = get_uleb(&p); break;
    case DW_LNS_const_add_pc:
      address += (uint64_t)((255 - opcode_base) / line_range) * min_insn;
      break;
    case DW_LNS_fixed_advance_pc: address += get_n(&p, 2); break;
    case DW_LNS_negate_stmt: case DW_LNS_set_basic_block:
    case DW_LNS_set_prologue_end: case DW_LNS_set_epilogue_begin:
      break;
    default: /* an opcode this reader does not know: skip its operands */
      for (unsigned k = 0; k < lengths[op]; k++) get_uleb(&p);
      break;
    }
  }
#undef EMIT_ROW
#undef FILE_OF
  free(files);
}

static int by_start(const void *a, const void *b) {
  const line_range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

static bool is_line_section(const rt_custom_section *s) {
  return s->name_len == 11 && !memcmp(s->name, ".debug_line", 11);
}

bool rt_has_line_section(const rt_module *m) {
  for (uint32_t i = 0; i < m->ncustoms; i++)
    if (is_line_section(&m->customs[i])) return true;
  return false;
}

static rt_line_table *read_table(const rt_module *m) {
  const rt_custom_section *line = NULL, *line_str = NULL, *str = NULL;
  for (uint32_t i = 0; i < m->ncustoms; i++) {
    const rt_custom_section *s = &m->customs[i];
    if (is_line_section(s)) line = s;
    if (s->name_len == 15 && !memcmp(s->name, ".debug_line_str", 15))
      line_str = s;
    if (s->name_len == 10 && !memcmp(s->name, ".debug_str", 10)) str = s;
  }
  if (!line) return NULL;
  rt_line_table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  cursor c = {line->data, line->data + line->len, false};
  while (c.p < c.end && !c.bad)
    read_unit(t, &c, m->code_section_offset, line_str, str);
  if (t->n) qsort(t->ranges, t->n, sizeof *t->ranges, by_start);
  return t;
}

static pthread_mutex_t read_lock = PTHREAD_MUTEX_INITIALIZER;

static const rt_line_table *table_of(rt_module *m) {
  pthread_mutex_lock(&read_lock);
  if (!m->lines_read) {
    m->lines = read_table(m);
    m->lines_read = true;
  }
  pthread_mutex_unlock(&read_lock);
  return m->lines;
}

/* The range holding offset, or NULL. */
static const line_range *range_of(const rt_line_table *t, uint32_t offset) {
  if (!t || !t->n || offset == UINT32_MAX) return NULL;
  /* the last range starting at or before offset */
  size_t lo = 0, hi = t->n;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->ranges[mid].start <= offset) lo = mid;
    else hi = mid;
  }
  const line_range *r = &t->ranges[lo];
  if (offset < r->start || offset >= r->end || r->file >= t->nfiles ||
      r->line == 0)
    return NULL;
  return r;
}

bool rt_line_of(rt_module *m, uint32_t offset, const char **file,
                uint32_t *line, uint32_t *column) {
  const rt_line_table *t = table_of(m);
  const line_range *r = range_of(t, offset);
  if (!r) return false;
  *file = t->files[r->file];
  *line = r->line;
  *column = r->column;
  return true;
}

const rt_line_table *rt_line_table_get(rt_module *m) {
  const rt_line_table *t = table_of(m);
  return t && t->n ? t : NULL;
}

size_t rt_line_table_files(const rt_line_table *t, const char *const **files) {
  *files = (const char *const *)t->files;
  return t->nfiles;
}

bool rt_line_table_find(const rt_line_table *t, uint32_t offset,
                        size_t *hint, uint32_t *file, uint32_t *line) {
  /* The hinted range or the one after it, when it is what range_of
   * would find (the last range starting at or before offset): lookups
   * in code order mostly stay there. */
  const line_range *r = NULL;
  for (size_t k = *hint; !r && k < t->n && k <= *hint + 1; k++) {
    const line_range *q = &t->ranges[k];
    if (q->start <= offset && offset < q->end &&
        (k + 1 == t->n || t->ranges[k + 1].start > offset)) {
      if (q->file >= t->nfiles || q->line == 0) return false;
      r = q;
    }
  }
  if (!r && !(r = range_of(t, offset))) return false;
  *hint = (size_t)(r - t->ranges);
  *file = r->file;
  *line = r->line;
  return true;
}

void rt_line_table_free(rt_line_table *t) {
  if (!t) return;
  for (size_t i = 0; i < t->nfiles; i++) free(t->files[i]);
  free(t->files);
  free(t->ranges);
  free(t);
}
