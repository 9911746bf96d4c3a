/* One decoded instruction: opcode plus immediates. Produced by the decoder
 * (jit/decode.c), checked by the validator (jit/validate.c) and compiled by
 * the code generator (jit/codegen.c), one instruction at a time.
 *
 * Opcodes are listed once, with everything the decoder, validator and
 * code generator need to know of them, in jit/opcodes.def.
 */
#ifndef JIT_INSTR_H
#define JIT_INSTR_H

#include <stdbool.h>
#include <stdint.h>

#include "array_layout.h" /* rt_valtype */

typedef enum jit_op {
#define OP(name, ...) OP_##name,
#include "opcodes.def"
#undef OP
  OP_COUNT
} jit_op;

/* What immediates follow an opcode. */
typedef enum jit_imm_kind {
  IMM_NONE,
  IMM_BLOCKTYPE,    /* block, loop, if */
  IMM_LABEL,        /* br, br_if: idx */
  IMM_BR_TABLE,     /* br_table */
  IMM_FUNC,         /* call, ref.func: idx */
  IMM_CALL_INDIRECT,/* type idx, table idx */
  IMM_LOCAL,        /* local.get/set/tee: idx */
  IMM_GLOBAL,       /* global.get/set: idx */
  IMM_TABLE,        /* table.get/set/size/grow/fill: idx */
  IMM_MEMARG,       /* loads/stores: align, offset */
  IMM_MEMARG_LANE,  /* v128.loadN_lane/storeN_lane: memarg + lane */
  IMM_MEMORY,       /* memory.size/grow/fill: memory idx */
  IMM_I32,
  IMM_I64,
  IMM_F32,
  IMM_F64,
  IMM_V128,         /* v128.const, i8x16.shuffle (16 bytes) */
  IMM_LANE,         /* extract/replace lane */
  IMM_SELECT_T,     /* select with a type vector */
  IMM_HEAPTYPE,     /* ref.null: a heap type */
  IMM_TYPE,         /* call_ref, return_call_ref: type idx */
  IMM_BR_ON_CAST,   /* br_on_cast(_fail): flags, label, two heap types */
  IMM_MEMORY_INIT,  /* data idx, memory idx */
  IMM_DATA,         /* data.drop */
  IMM_MEMORY_COPY,  /* dst mem, src mem */
  IMM_TABLE_INIT,   /* elem idx, table idx */
  IMM_ELEM,         /* elem.drop */
  IMM_TABLE_COPY,   /* dst table, src table */
  IMM_TAG,          /* throw, legacy catch: tag idx */
  IMM_TRY_TABLE,    /* try_table: blocktype, catch clauses */
  IMM_ATOMIC,       /* 0xFE accesses: a memarg, alignment exactly natural */
  IMM_FENCE,        /* atomic.fence: one reserved zero byte */
  IMM_TYPE_PAIR,    /* GC: type idx, then a field idx, count, data or elem
                       idx, or a second type idx (pair.a, pair.b) */
} jit_imm_kind;

/* A catch clause of try_table: kind (JIT_CATCH... in jit.h, the binary
 * encoding 0..3), tag (catch, catch_ref) and label. */
typedef struct jit_catch {
  uint8_t kind;
  uint32_t tag, label;
} jit_catch;

/* Block types: no value, one value type, or a type index. */
typedef struct jit_blocktype {
  enum { BT_EMPTY, BT_VALTYPE, BT_TYPEIDX } kind;
  rt_valtype valtype;
  uint32_t type_index;
} jit_blocktype;

typedef struct jit_instr {
  uint16_t op;     /* jit_op */
  uint32_t offset; /* byte offset of the opcode in the module */
  union {
    jit_blocktype block;
    struct {
      jit_blocktype block; /* first: try_table is read as a block too */
      uint32_t count;
      const jit_catch *catches; /* decoder-owned, valid until next decode */
    } try_table;
    uint32_t index; /* label, func, local, global, table, memory, data,
                       elem, tag, type */
    struct {
      uint32_t type_index, table;
    } call_indirect;
    struct {
      uint32_t align; /* log2 */
      uint64_t offset; /* a u64 since Wasm 3.0; below 2^32 for i32 memories */
      uint32_t memory; /* memory index (Wasm 3.0: flag bit 6 of the memarg) */
      uint8_t lane;
    } mem;
    struct {
      uint32_t count;          /* number of targets, excluding default */
      const uint32_t *targets; /* decoder-owned, valid until next decode */
      uint32_t dflt;
    } br_table;
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16];
    uint8_t lane;
    rt_valtype valtype; /* select t (exactly one type), ref.null (the
                           nullable reference to its heap type) */
    struct {
      uint32_t label;
      rt_valtype from, to; /* the reference types, nullability included */
    } cast;
    struct {
      uint32_t a, b; /* memory.init: data, mem; memory.copy: dst, src;
                        table.init: elem, table; table.copy: dst, src;
                        GC (IMM_TYPE_PAIR): type, field/count/data/elem/
                        type */
    } pair;
  } u;
} jit_instr;

typedef struct jit_opinfo {
  const char *text;
  uint8_t prefix;
  uint32_t code;
  uint8_t imm;     /* jit_imm_kind */
  const char *sig; /* the SIG column: "pops:pushes", or NULL */
} jit_opinfo;

extern const jit_opinfo jit_opinfo_table[OP_COUNT];

/* (prefix, code) -> jit_op, OP_COUNT when no opcode has that encoding
 * (jit/opcodes.c). The decoder and the runtime's reader of constant
 * expressions both name opcodes through it. */
jit_op jit_op_lookup(uint8_t prefix, uint32_t code);
/* jit_op + 1 of each one-byte opcode, 0 where none is (the prefix bytes
 * included): what jit_op_lookup(0, b) answers, as one load. */
extern const uint16_t jit_one_byte_ops[256];

/* log2 of the access size of a 0xFE row (its c column), 0 for others. */
extern const uint8_t jit_atomic_size_log2[OP_COUNT];

/* log2 of the bytes a plain memory instruction (a load or a store of the
 * core or SIMD sets, not 0xFE) accesses: the largest alignment it may
 * declare, and what an exact bounds check adds to its address. */
unsigned jit_access_size_log2(jit_op op);

#endif
