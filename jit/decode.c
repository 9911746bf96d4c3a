/* Function-body decoder: local declarations and one instruction at a time.
 * Every read is bounds-checked against r->end; malformed input becomes an
 * error carrying the offset of the offending instruction or field. */
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "error.h"
#include "leb128.h"
#include "module.h"

/* An implementation limit on declared locals per function (the same as
 * Wasmtime's): keeps frames bounded and rejects absurd local counts early. */
enum { JIT_MAX_LOCALS = 50000 };

void jit_reader_init(jit_reader *r, const uint8_t *base, size_t start,
                     size_t end) {
  r->base = base;
  r->pos = base + start;
  r->end = base + end;
  r->limit = r->end;
  r->targets = NULL;
  r->cap_targets = 0;
  r->catches = NULL;
  r->cap_catches = 0;
}

void jit_reader_free(jit_reader *r) {
  free(r->targets);
  r->targets = NULL;
  r->cap_targets = 0;
  free(r->catches);
  r->catches = NULL;
  r->cap_catches = 0;
}

static size_t remaining(const jit_reader *r) {
  return (size_t)(r->end - r->pos);
}

/* A LEB128 of `bits` bits at r->pos failed with s; one cut by the body's
 * end is judged with the bytes after it, up to r->limit (the spec's
 * decoder reads the module as one stream). */
static wrun_error *leb_error(const jit_reader *r, rt_leb_status s,
                             unsigned bits, bool is_signed) {
  if (s == RT_LEB_EOF && r->limit > r->end)
    s = rt_leb_past_end(r->pos, r->limit, bits, is_signed);
  return rt_error_new(jit_reader_offset(r), "%s", rt_leb_message(s));
}

static wrun_error *read_u32(jit_reader *r, uint32_t *out) {
  uint64_t v;
  rt_leb_status s = rt_read_uleb(&r->pos, r->end, 32, &v);
  if (s != RT_LEB_OK) return leb_error(r, s, 32, false);
  *out = (uint32_t)v;
  return NULL;
}

static wrun_error *read_byte(jit_reader *r, uint8_t *out) {
  *out = 0;
  if (r->pos >= r->end)
    return rt_error_new(jit_reader_offset(r), "unexpected end");
  *out = *r->pos++;
  return NULL;
}

static wrun_error *read_bytes(jit_reader *r, void *out, size_t n) {
  memset(out, 0, n);
  if (remaining(r) < n)
    return rt_error_new(jit_reader_offset(r), "unexpected end");
  memcpy(out, r->pos, n);
  r->pos += n;
  return NULL;
}

/* Value types with a type index are read with any index that fits the
 * packing; the validator checks it against the module ("unknown type"). */
static wrun_error *valtype_error(jit_reader *r, size_t at,
                                 rt_valtype_status s, bool ref_only) {
  if (s == RT_VT_EOF) return rt_error_new(jit_reader_offset(r), "unexpected end");
  if (s == RT_VT_UNKNOWN_TYPE) return rt_error_new(at, "unknown type");
  return rt_error_new(at, ref_only ? "malformed reference type"
                                   : "malformed value type");
}

static wrun_error *read_valtype(jit_reader *r, rt_valtype *out) {
  /* the one-byte types without a call: numbers, vectors, abstract refs */
  if (r->pos < r->end) {
    uint8_t b = *r->pos;
    if ((b >= VT_V128 && b <= VT_I32) || (b >= HT_EXN && b <= HT_NOEXN)) {
      r->pos++;
      *out = b;
      return NULL;
    }
  }
  size_t at = jit_reader_offset(r);
  uint32_t index = 0;
  rt_valtype_status s =
      rt_decode_valtype(&r->pos, r->end, RT_MAX_TYPES, false, out, &index);
  return s == RT_VT_OK ? NULL : valtype_error(r, at, s, false);
}

wrun_error *jit_decode_locals(jit_reader *r, uint32_t *count,
                              rt_valtype **types) {
  *count = 0;
  *types = NULL;
  const jit_reader start = *r;
  uint32_t ngroups;
  wrun_error *e = read_u32(r, &ngroups);
  if (e) return e;

  /* First pass: validate groups and sum counts, so the array is allocated
   * once and only for a bounded total. */
  uint64_t total = 0;
  for (uint32_t g = 0; g < ngroups; g++) {
    size_t at = jit_reader_offset(r);
    uint32_t n = 0;
    rt_valtype t = 0;
    if ((e = read_u32(r, &n)) || (e = read_valtype(r, &t))) return e;
    total += n;
    if (total > JIT_MAX_LOCALS) return rt_error_new(at, "too many locals");
  }
  if (total == 0) return NULL;

  rt_valtype *out = malloc((size_t)total * sizeof *out);
  if (!out) return rt_error_new(jit_reader_offset(r), "out of memory");
  /* Second pass over bytes already known to be well formed. */
  jit_reader again = start;
  uint32_t filled = 0;
  (void)read_u32(&again, &ngroups);
  for (uint32_t g = 0; g < ngroups; g++) {
    uint32_t n = 0;
    rt_valtype t = 0;
    (void)read_u32(&again, &n);
    (void)read_valtype(&again, &t);
    for (uint32_t k = 0; k < n; k++) out[filled + k] = t;
    filled += n;
  }
  *count = filled;
  *types = out;
  return NULL;
}

/* Block type: 0x40 (empty), a value type, or a non-negative s33 type
 * index. */
static wrun_error *read_blocktype(jit_reader *r, jit_blocktype *bt) {
  size_t at = jit_reader_offset(r);
  if (r->pos >= r->end) return rt_error_new(at, "unexpected end");
  uint8_t b = *r->pos;
  if (b == 0x40) {
    r->pos++;
    bt->kind = BT_EMPTY;
    return NULL;
  }
  /* a value type starts with a negative s33's byte (0x63/0x64 for
   * (ref null? ht)); a type index is a non-negative one */
  if ((b & 0xC0) == 0x40) {
    bt->kind = BT_VALTYPE;
    return read_valtype(r, &bt->valtype);
  }
  int64_t idx;
  rt_leb_status s = rt_read_sleb(&r->pos, r->end, 33, &idx);
  if (s != RT_LEB_OK) return leb_error(r, s, 33, true);
  if (idx < 0) return rt_error_new(at, "malformed value type");
  bt->kind = BT_TYPEIDX;
  bt->type_index = (uint32_t)idx;
  return NULL;
}

static wrun_error *grow_targets(jit_reader *r, uint32_t need) {
  if (need <= r->cap_targets) return NULL;
  uint32_t cap = r->cap_targets ? r->cap_targets : 16;
  while (cap < need) cap = cap > UINT32_MAX / 2 ? need : cap * 2;
  uint32_t *t = realloc(r->targets, (size_t)cap * sizeof *t);
  if (!t) return rt_error_new(jit_reader_offset(r), "out of memory");
  r->targets = t;
  r->cap_targets = cap;
  return NULL;
}

static wrun_error *read_br_table(jit_reader *r, jit_instr *out) {
  uint32_t n;
  wrun_error *e = read_u32(r, &n);
  if (e) return e;
  /* Each label takes at least one byte: a count beyond the bytes left is
   * truncated input, caught before allocating for it. */
  if (n > remaining(r))
    return rt_error_new(jit_reader_offset(r), "unexpected end");
  if ((e = grow_targets(r, n))) return e;
  for (uint32_t i = 0; i < n; i++)
    if ((e = read_u32(r, &r->targets[i]))) return e;
  out->u.br_table.count = n;
  out->u.br_table.targets = r->targets;
  return read_u32(r, &out->u.br_table.dflt);
}

/* try_table: blocktype, then a vector of catch clauses, each a kind byte
 * (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref), a tag index for
 * the first two, and a label. */
static wrun_error *read_try_table(jit_reader *r, jit_instr *out) {
  wrun_error *e = read_blocktype(r, &out->u.try_table.block);
  uint32_t n = 0;
  if (e || (e = read_u32(r, &n))) return e;
  /* A clause takes at least two bytes: a longer count is truncated input,
   * caught before allocating for it. */
  if (n > remaining(r) / 2)
    return rt_error_new(jit_reader_offset(r), "unexpected end");
  if (n > r->cap_catches) {
    jit_catch *c = realloc(r->catches, (size_t)n * sizeof *c);
    if (!c) return rt_error_new(jit_reader_offset(r), "out of memory");
    r->catches = c;
    r->cap_catches = n;
  }
  for (uint32_t i = 0; i < n; i++) {
    jit_catch *c = &r->catches[i];
    size_t at = jit_reader_offset(r);
    c->tag = 0;
    if ((e = read_byte(r, &c->kind))) return e;
    if (c->kind > 3) return rt_error_new(at, "malformed catch clause");
    if (c->kind < 2 && (e = read_u32(r, &c->tag))) return e;
    if ((e = read_u32(r, &c->label))) return e;
  }
  out->u.try_table.count = n;
  out->u.try_table.catches = r->catches;
  return NULL;
}

/* Wasm 3.0 memarg: flags (bits 0-5 log2 of the alignment, bit 6 "a memory
 * index follows", nothing above), the memory index if flagged, the offset
 * (u64).
 * Without bit 6 it is the Wasm 2.0 encoding and the memory is 0. */
enum { MEMARG_HAS_MEMORY = 0x40, MEMARG_FLAGS_LIMIT = 0x80 };

static wrun_error *read_memarg(jit_reader *r, jit_instr *out) {
  /* Nearly every memarg is two one-byte LEBs, memory 0. */
  if (remaining(r) >= 2 && r->pos[0] < MEMARG_HAS_MEMORY && r->pos[1] < 0x80) {
    out->u.mem.align = r->pos[0];
    out->u.mem.memory = 0;
    out->u.mem.offset = r->pos[1];
    r->pos += 2;
    return NULL;
  }
  size_t at = jit_reader_offset(r);
  uint32_t flags;
  wrun_error *e = read_u32(r, &flags);
  if (e) return e;
  if (flags >= MEMARG_FLAGS_LIMIT)
    return rt_error_new(at, "malformed memop flags");
  out->u.mem.align = flags & (MEMARG_HAS_MEMORY - 1);
  out->u.mem.memory = 0;
  if ((flags & MEMARG_HAS_MEMORY) && (e = read_u32(r, &out->u.mem.memory)))
    return e;
  /* The offset is a u64 for every memory (Wasm 3.0); the validator keeps
   * an i32 memory's below 2^32. */
  rt_leb_status s = rt_read_uleb(&r->pos, r->end, 64, &out->u.mem.offset);
  return s == RT_LEB_OK ? NULL : leb_error(r, s, 64, false);
}

/* select t*: Wasm 2.0 requires exactly one type; any other count is kept
 * as valtype 0 for the validator to reject ("invalid result arity"). */
static wrun_error *read_select_types(jit_reader *r, jit_instr *out) {
  uint32_t n;
  wrun_error *e = read_u32(r, &n);
  if (e) return e;
  if (n > remaining(r))
    return rt_error_new(jit_reader_offset(r), "unexpected end");
  out->u.valtype = 0;
  for (uint32_t i = 0; i < n; i++) {
    rt_valtype t = 0;
    if ((e = read_valtype(r, &t))) return e;
    if (n == 1) out->u.valtype = t;
  }
  return NULL;
}

/* ref.null's heap type; *out the nullable reference to it. */
static wrun_error *read_null_heaptype(jit_reader *r, rt_valtype *out) {
  size_t at = jit_reader_offset(r);
  uint32_t heap = 0, index = 0;
  rt_valtype_status s =
      rt_decode_heaptype(&r->pos, r->end, RT_MAX_TYPES, &heap, &index);
  if (s == RT_VT_OK) {
    *out = rt_vt_ref(heap, true);
    return NULL;
  }
  if (s == RT_VT_EOF) return rt_error_new(jit_reader_offset(r), "unexpected end");
  return rt_error_new(at, "malformed heap type");
}

/* br_on_cast(_fail): flags (bit 0: the operand type is nullable, bit 1:
 * the target type), label, the two heap types. */
static wrun_error *read_br_on_cast(jit_reader *r, jit_instr *out) {
  size_t at = jit_reader_offset(r);
  uint8_t flags = 0;
  wrun_error *e = read_byte(r, &flags);
  if (e) return e;
  if (flags > 3) return rt_error_new(at, "malformed br_on_cast flags");
  if ((e = read_u32(r, &out->u.cast.label)) ||
      (e = read_null_heaptype(r, &out->u.cast.from)) ||
      (e = read_null_heaptype(r, &out->u.cast.to)))
    return e;
  if (!(flags & 1)) out->u.cast.from |= VT_NONNULL;
  if (!(flags & 2)) out->u.cast.to |= VT_NONNULL;
  return NULL;
}

static wrun_error *read_immediates(jit_reader *r, jit_instr *out) {
  wrun_error *e = NULL;
  int64_t sv;
  rt_leb_status s;
  switch ((jit_imm_kind)jit_opinfo_table[out->op].imm) {
  case IMM_NONE:
    return NULL;
  case IMM_BLOCKTYPE:
    return read_blocktype(r, &out->u.block);
  case IMM_LABEL: case IMM_FUNC: case IMM_LOCAL: case IMM_GLOBAL:
  case IMM_TABLE: case IMM_DATA: case IMM_ELEM: case IMM_TAG: case IMM_TYPE:
    return read_u32(r, &out->u.index);
  case IMM_TRY_TABLE:
    return read_try_table(r, out);
  case IMM_BR_TABLE:
    return read_br_table(r, out);
  case IMM_CALL_INDIRECT:
    e = read_u32(r, &out->u.call_indirect.type_index);
    return e ? e : read_u32(r, &out->u.call_indirect.table);
  case IMM_MEMARG:
  case IMM_ATOMIC:
    return read_memarg(r, out);
  case IMM_FENCE: {
    size_t at = jit_reader_offset(r);
    uint8_t zero;
    if ((e = read_byte(r, &zero))) return e;
    return zero ? rt_error_new(at, "malformed fence") : NULL;
  }
  case IMM_MEMARG_LANE:
    e = read_memarg(r, out);
    return e ? e : read_byte(r, &out->u.mem.lane);
  case IMM_MEMORY:
    return read_u32(r, &out->u.index);
  case IMM_I32:
    s = rt_read_sleb(&r->pos, r->end, 32, &sv);
    if (s != RT_LEB_OK) return leb_error(r, s, 32, true);
    out->u.i32 = (int32_t)sv;
    return NULL;
  case IMM_I64:
    s = rt_read_sleb(&r->pos, r->end, 64, &sv);
    if (s != RT_LEB_OK) return leb_error(r, s, 64, true);
    out->u.i64 = sv;
    return NULL;
  case IMM_F32: {
    uint8_t b[4] = {0};
    if ((e = read_bytes(r, b, 4))) return e;
    out->u.f32_bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                      (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return NULL;
  }
  case IMM_F64: {
    uint8_t b[8] = {0};
    if ((e = read_bytes(r, b, 8))) return e;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = bits << 8 | b[i];
    out->u.f64_bits = bits;
    return NULL;
  }
  case IMM_V128:
    return read_bytes(r, out->u.v128, 16);
  case IMM_LANE:
    return read_byte(r, &out->u.lane);
  case IMM_SELECT_T:
    return read_select_types(r, out);
  case IMM_HEAPTYPE:
    return read_null_heaptype(r, &out->u.valtype);
  case IMM_BR_ON_CAST:
    return read_br_on_cast(r, out);
  case IMM_MEMORY_INIT:
  case IMM_MEMORY_COPY:
  case IMM_TABLE_INIT:
  case IMM_TABLE_COPY:
  case IMM_TYPE_PAIR:
    e = read_u32(r, &out->u.pair.a);
    return e ? e : read_u32(r, &out->u.pair.b);
  }
  return rt_error_new(out->offset, "illegal opcode");
}

/* The immediates most instructions carry (an index below 128, a small
 * constant, a one-byte block type, the common memarg: one-byte LEBs),
 * read without the general reader's calls and loops; false when they are
 * not that simple. Nothing here can fail: the general path reads anything
 * else, with its errors. */
static inline bool read_short_immediate(jit_reader *r, jit_instr *out,
                                        jit_imm_kind imm) {
  if (r->pos >= r->end || *r->pos >= 0x80) return false;
  uint8_t b = *r->pos;
  switch (imm) {
  case IMM_LABEL: case IMM_FUNC: case IMM_LOCAL: case IMM_GLOBAL:
    out->u.index = b;
    break;
  case IMM_I32: /* seven bits, the top one the sign */
    out->u.i32 = (int32_t)(b & 0x40 ? b | ~0x7F : b);
    break;
  case IMM_I64:
    out->u.i64 = (int64_t)(b & 0x40 ? b | ~(int64_t)0x7F : b);
    break;
  case IMM_BLOCKTYPE: /* empty, or a number or vector type */
    if (b == 0x40) {
      out->u.block.kind = BT_EMPTY;
    } else if (b >= VT_V128 && b <= VT_I32) {
      out->u.block.kind = BT_VALTYPE;
      out->u.block.valtype = b;
    } else {
      return false;
    }
    break;
  case IMM_MEMARG: /* alignment and offset of one byte each, memory 0 */
    if (r->end - r->pos < 2 || b >= MEMARG_HAS_MEMORY || r->pos[1] >= 0x80)
      return false;
    out->u.mem.align = b;
    out->u.mem.memory = 0;
    out->u.mem.offset = r->pos[1];
    r->pos++;
    break;
  default:
    return false;
  }
  r->pos++;
  return true;
}

wrun_error *jit_decode_instr_any(jit_reader *r, jit_instr *out) {
  memset(out, 0, sizeof *out);
  size_t at = jit_reader_offset(r);
  out->offset = (uint32_t)at;
  if (r->pos >= r->end) return rt_error_new(at, "unexpected end");
  uint8_t b = *r->pos++;

  jit_op op;
  if (b == 0xFC || b == 0xFD || b == 0xFB || b == 0xFE) {
    uint32_t sub;
    wrun_error *e = read_u32(r, &sub);
    if (e) return e;
    op = jit_op_lookup(b, sub);
  } else {
    op = jit_one_byte_ops[b] ? (jit_op)(jit_one_byte_ops[b] - 1) : OP_COUNT;
  }
  if (op == OP_COUNT) return rt_error_new(at, "illegal opcode");
  out->op = (uint16_t)op;
  jit_imm_kind imm = (jit_imm_kind)jit_opinfo_table[op].imm;
  if (imm == IMM_NONE || read_short_immediate(r, out, imm)) return NULL;
  return read_immediates(r, out);
}

/* ---- a body as the spec's decoder reads it ----------------------------
 *
 * The spec's reference interpreter reads a module as one stream: a body is
 * not cut at its size, its instructions go on into whatever follows until
 * the function's final end, and only then is the size checked ("section
 * size mismatch"). */

/* Open constructs, as the spec's decoder nests them. */
enum { SYN_BLOCK, SYN_IF, SYN_ELSE, SYN_TRY, SYN_TRY_CATCH };

wrun_error *jit_decode_body_as_spec(const rt_module *mod, uint32_t f) {
  const rt_func *fn = &mod->funcs[f];
  jit_reader r;
  jit_reader_init(&r, mod->bytes, fn->body_offset, mod->len);
  const uint8_t *body_end = r.pos + fn->body_len;
  uint32_t nlocals = 0;
  rt_valtype *local_types = NULL;
  wrun_error *err = jit_decode_locals(&r, &nlocals, &local_types);
  free(local_types);
  uint8_t *open = NULL;
  uint32_t depth = 0, cap = 0;
  jit_instr in;
  while (!err) {
    if (depth == cap) {
      uint32_t n = cap ? cap * 2 : 16;
      uint8_t *p = realloc(open, n);
      if (!p) {
        err = rt_error_new(jit_reader_offset(&r), "out of memory");
        break;
      }
      open = p;
      cap = n;
      if (depth == 0) open[depth++] = SYN_BLOCK; /* the function's own */
    }
    if (r.pos >= r.end) {
      err = rt_error_new(jit_reader_offset(&r),
                         "unexpected end of section or function");
      break;
    }
    if ((err = jit_decode_instr(&r, &in))) break;
    uint8_t *top = &open[depth - 1];
    bool misplaced = false;
    switch (in.op) {
    case OP_BLOCK: case OP_LOOP: case OP_TRY_TABLE:
      open[depth++] = SYN_BLOCK;
      break;
    case OP_IF: open[depth++] = SYN_IF; break;
    case OP_TRY: open[depth++] = SYN_TRY; break;
    case OP_ELSE:
      misplaced = *top != SYN_IF;
      *top = SYN_ELSE;
      break;
    case OP_CATCH: case OP_CATCH_ALL:
      misplaced = *top != SYN_TRY && *top != SYN_TRY_CATCH;
      *top = in.op == OP_CATCH ? SYN_TRY_CATCH : SYN_ELSE;
      break;
    case OP_DELEGATE:
      misplaced = *top != SYN_TRY;
      depth--;
      break;
    case OP_END: depth--; break;
    default: break;
    }
    /* A block's instructions stop at these; what follows must be end. */
    if (misplaced)
      err = rt_error_new(in.offset, "END opcode expected");
    else if (depth == 0 && r.pos != body_end)
      err = rt_error_new(fn->body_offset, "section size mismatch");
    else if (depth == 0)
      break;
  }
  free(open);
  jit_reader_free(&r);
  return err;
}
