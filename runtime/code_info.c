/* Code inspection for tools (wrun objdump): a compiled module's machine
 * code per function and its map to wasm offsets, the wasm body, and the
 * opcode at a module offset. Read-only views of what compiling made; the
 * pointers live as long as the module. */
#include "runtime.h"

#include "../jit/instr.h"
#include "../jit/pcmap.h"

size_t wrun_module_func_count(const wrun_module *m) { return m->m->nfuncs; }

const char *wrun_module_func_name(const wrun_module *m, uint32_t func) {
  const rt_module *rm = m->m;
  return func < rm->nfuncs && rm->func_names ? rm->func_names[func] : NULL;
}

/* The index among the defined functions, or -1 for an import. */
static int64_t defined_index(const wrun_module *m, uint32_t func) {
  const rt_module *rm = m->m;
  if (func < rm->nimported_funcs || func >= rm->nfuncs) return -1;
  return (int64_t)(func - rm->nimported_funcs);
}

const uint8_t *wrun_module_func_code(const wrun_module *m, uint32_t func,
                                     size_t *size) {
  const jit_code *c = &m->code;
  int64_t i = defined_index(m, func);
  *size = 0;
  if (i < 0 || !c->mem) return NULL;
  uint32_t start = c->func_offsets[i];
  uint32_t end = (uint32_t)i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                             : (uint32_t)c->size;
  *size = end - start;
  return c->mem + start;
}

bool wrun_module_func_body(const wrun_module *m, uint32_t func,
                           size_t *offset, size_t *size) {
  if (defined_index(m, func) < 0) return false;
  const rt_func *f = &m->m->funcs[func];
  *offset = f->body_offset;
  *size = f->body_len;
  return true;
}

void wrun_module_func_code_map(const wrun_module *m, uint32_t func,
                               void (*each)(void *arg, size_t code_offset,
                                            size_t module_offset),
                               void *arg) {
  const jit_code *c = &m->code;
  int64_t i = defined_index(m, func);
  if (i < 0 || !c->pcmap) return;
  uint32_t from = c->pcmap_starts[i];
  uint32_t to = (uint32_t)i + 1 < c->nfuncs ? c->pcmap_starts[i + 1]
                                            : c->pcmap_size;
  jit_pcmap_cursor cur = {c->pcmap + from, c->pcmap + to, 0,
                          m->m->funcs[func].body_offset};
  uint32_t pc, wasm;
  while (jit_pcmap_next(&cur, &pc, &wasm)) each(arg, pc, wasm);
}

const char *wrun_module_opcode_name(const wrun_module *m, size_t offset) {
  const rt_module *rm = m->m;
  if (offset >= rm->len) return NULL;
  uint8_t b = rm->bytes[offset];
  jit_op op;
  if (b == 0xFB || b == 0xFC || b == 0xFD || b == 0xFE) {
    uint32_t code = 0;
    unsigned shift = 0;
    size_t at = offset + 1;
    for (; at < rm->len && shift < 35; shift += 7) {
      uint8_t c = rm->bytes[at++];
      code |= (uint32_t)(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
    }
    op = jit_op_lookup(b, code);
  } else {
    op = jit_op_lookup(0, b);
  }
  return op < OP_COUNT ? jit_opinfo_table[op].text : NULL;
}
