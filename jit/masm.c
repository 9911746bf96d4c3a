/* Backend-independent bookkeeping of the MacroAssembler: fixups, trap
 * sites and call relocations. The encodings are in jit/x64 and jit/arm64. */
#include "masm.h"
#include "jit.h"

void jit_masm_init(jit_masm *m) {
  memset(m, 0, sizeof *m);
  m->mem_base = JIT_NO_REG;
}

void jit_masm_free(jit_masm *m) {
  jit_buf_free(&m->buf);
  free(m->fixups);
  free(m->traps);
  free(m->relocs);
  free(m->syms);
  free(m->lits);
  free(m->lit_uses);
  jit_pcmap_writer_free(&m->pcmap);
  memset(m, 0, sizeof *m);
}

uint32_t jit_reg_args(const rt_valtype *params, uint32_t nparams,
                      jit_reg_arg out[JIT_ARG_GPRS]) {
  uint32_t n = 0;
  int32_t off = 0;
  for (uint32_t i = 0; i < nparams && n < JIT_ARG_GPRS; i++) {
    if (params[i] == RT_ARRAY_I32_TYPE || params[i] == RT_ARRAY_I64_TYPE) {
      jit_reg_arg a = {i, off,
                       params[i] == RT_ARRAY_I32_TYPE ? JT_I32 : JT_I64};
      out[n++] = a;
    }
    off += (int32_t)rt_array_slot_size(params[i]);
  }
  return n;
}

void jit_masm_refuse(jit_masm *m, const char *why) {
  if (!m->refusal) m->refusal = why;
}

/* A refusal is the cause even when memory also ran out afterwards. */
const char *jit_masm_failure(const jit_masm *m) {
  return m->refusal ? m->refusal : "out of memory";
}

/* Grows an array of elem-sized items to hold one more; false on failure. */
static bool grow(void **arr, uint32_t n, uint32_t *cap, size_t elem) {
  if (n < *cap) return true;
  uint32_t c = *cap ? *cap * 2 : 64;
  void *p = realloc(*arr, (size_t)c * elem);
  if (!p) return false;
  *arr = p;
  *cap = c;
  return true;
}

void jit_masm_add_trap(jit_masm *m, uint32_t offset, uint8_t code) {
  if (!grow((void **)&m->traps, m->ntraps, &m->cap_traps, sizeof *m->traps)) {
    m->oom = true;
    return;
  }
  m->traps[m->ntraps].offset = offset;
  m->traps[m->ntraps].code = code;
  m->ntraps++;
  if (m->wasm_offset && *m->wasm_offset != JIT_NO_WASM_OFFSET)
    jit_pcmap_add(&m->pcmap, offset, *m->wasm_offset);
}

void jit_masm_add_reloc(jit_masm *m, uint32_t at, uint32_t func_index) {
  if (!grow((void **)&m->relocs, m->nrelocs, &m->cap_relocs,
            sizeof *m->relocs)) {
    m->oom = true;
    return;
  }
  m->relocs[m->nrelocs].at = at;
  m->relocs[m->nrelocs].func_index = func_index;
  m->nrelocs++;
}

void jit_masm_add_sym(jit_masm *m, uint32_t at, uint8_t kind,
                      uint32_t index) {
  if (!grow((void **)&m->syms, m->nsyms, &m->cap_syms, sizeof *m->syms)) {
    m->oom = true;
    return;
  }
  m->syms[m->nsyms].at = at;
  m->syms[m->nsyms].kind = kind;
  m->syms[m->nsyms].index = index;
  m->nsyms++;
}

void jit_masm_add_libcall_sym(jit_masm *m, uint32_t at, const void *fn) {
  if (!m->relocatable) return;
  uint32_t i = jit_libcall_index(fn);
  if (i == UINT32_MAX)
    jit_masm_refuse(m, "code generator: a C function missing from the "
                       "relocation list (jit/symbols.c)");
  else
    jit_masm_add_sym(m, at, JIT_SYM_LIBCALL, i);
}

void jit_masm_add_fixup(jit_masm *m, jit_label *l, uint32_t at, uint8_t kind,
                        int32_t base) {
  if (m->pending_fixups == 0) {
    m->nfixups = 0;
    m->veneer_scan = 0;
  }
  if (!grow((void **)&m->fixups, m->nfixups, &m->cap_fixups,
            sizeof *m->fixups)) {
    m->oom = true;
    return;
  }
  jit_fixup *f = &m->fixups[m->nfixups];
  f->at = at;
  f->kind = kind;
  f->base = base;
  f->next = l->fixups;
  l->fixups = (int32_t)m->nfixups;
  m->nfixups++;
  m->pending_fixups++;
}

/* Room for n more items in an array of elem-sized items (doubling, so
 * appends stay linear); false on failure. */
static bool reserve(void **arr, uint32_t len, uint32_t n, uint32_t *cap,
                    size_t elem) {
  if (*cap - len >= n) return true;
  uint64_t c = *cap ? *cap : 64;
  while (c < (uint64_t)len + n) c *= 2;
  if (c > UINT32_MAX) return false;
  void *p = realloc(*arr, (size_t)c * elem);
  if (!p) return false;
  *arr = p;
  *cap = (uint32_t)c;
  return true;
}

/* How many of the latest literals a use looks through for its own: a
 * bound, so that a function of many distinct constants stays linear. */
#define LITERAL_SEARCH 32

bool jit_masm_use_literal(jit_masm *m, uint32_t at, uint64_t bits,
                          uint8_t size) {
  uint32_t lit = m->nlits;
  uint32_t from = m->nlits > LITERAL_SEARCH ? m->nlits - LITERAL_SEARCH : 0;
  for (uint32_t k = m->nlits; k-- > from;)
    if (m->lits[k].bits == bits && m->lits[k].size == size) {
      lit = k;
      break;
    }
  if ((lit == m->nlits &&
       !reserve((void **)&m->lits, m->nlits, 1, &m->cap_lits,
                sizeof *m->lits)) ||
      !reserve((void **)&m->lit_uses, m->nlit_uses, 1, &m->cap_lit_uses,
               sizeof *m->lit_uses)) {
    m->oom = true;
    return false;
  }
  if (lit == m->nlits) m->lits[m->nlits++] = (jit_literal){bits, size};
  m->lit_uses[m->nlit_uses++] = (jit_literal_use){at, lit};
  return true;
}

void jit_masm_append(jit_masm *m, jit_masm *src, size_t page) {
  uint32_t base = jit_buf_pos(&m->buf);
  if (src->refusal) jit_masm_refuse(m, src->refusal);
  if (src->oom || src->buf.oom) m->oom = true;
  if (src->buf.size && !(page && jit_buf_move_pages(&m->buf, &src->buf, page)))
    jit_buf_put(&m->buf, src->buf.data, src->buf.size);
  if (!reserve((void **)&m->traps, m->ntraps, src->ntraps, &m->cap_traps,
               sizeof *m->traps) ||
      !reserve((void **)&m->relocs, m->nrelocs, src->nrelocs, &m->cap_relocs,
               sizeof *m->relocs) ||
      !reserve((void **)&m->syms, m->nsyms, src->nsyms, &m->cap_syms,
               sizeof *m->syms)) {
    m->oom = true;
    return;
  }
  for (uint32_t i = 0; i < src->ntraps; i++) {
    m->traps[m->ntraps] = src->traps[i];
    m->traps[m->ntraps++].offset += base;
  }
  for (uint32_t i = 0; i < src->nrelocs; i++) {
    m->relocs[m->nrelocs] = src->relocs[i];
    m->relocs[m->nrelocs++].at += base;
  }
  for (uint32_t i = 0; i < src->nsyms; i++) {
    m->syms[m->nsyms] = src->syms[i];
    m->syms[m->nsyms++].at += base;
  }
  jit_pcmap_append(&m->pcmap, &src->pcmap);
}
