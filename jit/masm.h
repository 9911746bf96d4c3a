/* The MacroAssembler: the interface between the ISA-neutral compiler
 * (jit/codegen.c) and a backend (jit/x64/masm.c, later jit/arm64/masm.c).
 *
 * Wasm-shaped, three-operand: dst, lhs, rhs, where rhs may be a register or
 * an immediate (jit_opnd). Each backend lowers two-operand forms, fixed
 * registers (x86 div in rdx:rax, shifts in cl) and missing instructions
 * with its OWN scratch registers, which are never in the allocatable sets
 * of jit_target. So the generic register allocator needs no per-operation
 * constraints: any allocatable register is valid for any operand, and a
 * masm call may clobber only its scratch registers and its dst.
 *
 * Register numbers: GPRs are 0..31 (the hardware number), FPRs are 32..63
 * (32 + hardware number). JIT_IS_FPR tells them apart.
 *
 * Invariants the backend keeps and the compiler relies on:
 *  - an I32 value in a GPR has its upper 32 bits zero (so it can be used
 *    directly as a 64-bit memory index);
 *  - F32/F64 values live in FPRs, I32/I64/REF in GPRs;
 *  - sp does not move inside a function body after the prologue: the frame
 *    is reserved at once, its size patched by masm_finish_frame;
 *  - frame slots are addressed from the frame pointer (masm_*_frame), the
 *    outgoing argument area from sp (masm_*_sp).
 *
 * The two backends are both compiled on every host with prefixes x64_ and
 * a64_; the names below map to the host's backend (see bottom of file).
 */
#ifndef JIT_MASM_H
#define JIT_MASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "array_layout.h" /* rt_valtype */
#include "buffer.h"
#include "pcmap.h"

typedef uint8_t jit_reg;
#define JIT_FPR_BASE 32
#define JIT_IS_FPR(r) ((r) >= JIT_FPR_BASE)
#define JIT_NO_REG 0xff

/* Machine types of values as the masm sees them. REF is a 64-bit pointer. */
typedef enum jit_type { JT_I32, JT_I64, JT_F32, JT_F64, JT_V128, JT_REF } jit_type;

static inline bool jit_type_is_float(jit_type t) {
  return t == JT_F32 || t == JT_F64 || t == JT_V128;
}
static inline bool jit_type_is_64(jit_type t) {
  return t == JT_I64 || t == JT_F64 || t == JT_REF;
}

/* A right-hand operand: a register or a sign-extended 64-bit immediate.
 * Backends accept any immediate (they materialise large ones in scratch). */
typedef struct jit_opnd {
  bool is_imm;
  jit_reg reg;
  int64_t imm;
} jit_opnd;

static inline jit_opnd jit_reg_opnd(jit_reg r) {
  jit_opnd o = {false, r, 0};
  return o;
}
static inline jit_opnd jit_imm_opnd(int64_t v) {
  jit_opnd o = {true, JIT_NO_REG, v};
  return o;
}

/* What the generic compiler needs to know of a target. */
typedef struct jit_target {
  uint64_t alloc_mask;  /* allocatable registers: bit r set (GPRs and FPRs) */
  /* Pinned registers. Both must be callee-saved in the platform C ABI:
   * the compiler does not reload them after libcalls (C preserves them) or
   * after direct calls within the module (every wasm function returns with
   * its own instance's values in them, which are the caller's). */
  jit_reg vmctx_reg;    /* pinned: this function's vmctx */
  jit_reg membase_reg;  /* pinned: memory 0 base (when the module has one) */
  /* Allocatable, except in functions compiled with fuel: there it holds
   * the fuel left (so a charge is a register subtract, not a read-modify-
   * write of memory). Callee-saved in the C ABI, and no argument, result
   * or merge register. */
  jit_reg fuel_reg;
  jit_reg merge_gpr;    /* allocatable; holds a single int/ref block result */
  jit_reg merge_fpr;    /* allocatable; holds a single float block result */
  /* Wasm calling convention (see runtime/vmctx.h, rt_funcref). */
  jit_reg call_ctx_reg;     /* callee's VMOpaqueContext */
  jit_reg call_caller_reg;  /* caller's vmctx: read by host functions'
                             * exit trampolines only, so a direct call
                             * within the module leaves it unset */
  jit_reg ret_gpr, ret_fpr; /* first int/ref result, first float result */
  /* C calling convention for libcalls: integer/pointer argument registers
   * and result register. Libcalls take at most 6 integer arguments. */
  jit_reg c_arg[6];
  jit_reg c_ret;
  /* Frame: parameters of a wasm function are at fp + param_base + their
   * slot offset (the caller's outgoing area). */
  int32_t param_base;
  /* Tail calls (docs/design-notes.md, "Tail calls"): a call that may
   * reach a function with tail calls (any but a direct call of one
   * without) enters it with the capacity in bytes of the outgoing area
   * that holds the callee's parameters in this register. Not the target,
   * ctx or caller register of any call; nothing between a function's
   * first instruction and the end of its prologue writes it. */
  jit_reg tail_cap_reg;
  /* The first JIT_ARG_GPRS i32/i64 parameters of a wasm call also travel
   * in these registers, in parameter order (their slots are written as
   * well, so a callee that ignores them, a host function's exit
   * trampoline, still reads every argument from memory). The callee
   * starts with them in its local cache instead of reloading its
   * parameters. Allocatable registers that no prologue and no call
   * convention register (ctx, caller, capacity, target) overlaps. */
  jit_reg arg_gpr[3];
} jit_target;
#define JIT_ARG_GPRS 3

/* A parameter that travels in target.arg_gpr[k] (k: its place in the
 * array jit_reg_args fills): its index, its slot's offset in the
 * argument area and its type (JT_I32 or JT_I64). */
typedef struct jit_reg_arg {
  uint32_t param;
  int32_t off;
  jit_type type;
} jit_reg_arg;

/* Which parameters of a call with these types go in registers too:
 * the first JIT_ARG_GPRS of type i32 or i64. Returns how many. */
uint32_t jit_reg_args(const rt_valtype *params, uint32_t nparams,
                      jit_reg_arg out[JIT_ARG_GPRS]);

/* Condition codes for compares. Integer ones use signed/unsigned variants;
 * float ones have wasm semantics (false on NaN, except NE). */
typedef enum jit_cond {
  JC_EQ, JC_NE, JC_LT_S, JC_LT_U, JC_GT_S, JC_GT_U, JC_LE_S, JC_LE_U,
  JC_GE_S, JC_GE_U,
  JC_TST_Z, JC_TST_NZ, /* (lhs & rhs) == 0, != 0: integers only */
  JC_FEQ, JC_FNE, JC_FLT, JC_FGT, JC_FLE, JC_FGE,
} jit_cond;

typedef enum jit_binop {
  JB_ADD, JB_SUB, JB_MUL, JB_AND, JB_OR, JB_XOR,
  JB_SHL, JB_SHR_S, JB_SHR_U, JB_ROTL, JB_ROTR, /* count masked by width */
} jit_binop;

typedef enum jit_divop { JD_DIV_S, JD_DIV_U, JD_REM_S, JD_REM_U } jit_divop;

typedef enum jit_unop {
  JU_CLZ, JU_CTZ, JU_POPCNT,
  JU_EQZ,          /* dst (i32) = src == 0; src type I32 or I64 (or REF) */
  JU_EXTEND8_S, JU_EXTEND16_S, JU_EXTEND32_S, /* within type t */
  JU_EXTEND_I32_S, JU_EXTEND_I32_U, /* i64.extend_i32_s/u: t = I64 */
  JU_WRAP,         /* i32.wrap_i64: t = I32 */
} jit_unop;

typedef enum jit_fbinop {
  JF_ADD, JF_SUB, JF_MUL, JF_DIV, JF_MIN, JF_MAX, JF_COPYSIGN,
} jit_fbinop;

typedef enum jit_funop {
  JFU_ABS, JFU_NEG, JFU_SQRT, JFU_CEIL, JFU_FLOOR, JFU_TRUNC, JFU_NEAREST,
} jit_funop;

/* The read-modify-write operations of the atomics (threads). */
typedef enum jit_atomic_op {
  JA_ADD, JA_SUB, JA_AND, JA_OR, JA_XOR, JA_XCHG,
} jit_atomic_op;

/* The float layout of a register for masm_canon_nan: a scalar, or the
 * lanes of a v128. */
typedef enum jit_fshape { JFS_F32, JFS_F64, JFS_F32X4, JFS_F64X2 } jit_fshape;

/* Conversions between classes or widths, named after the wasm opcode. */
typedef enum jit_convop {
  JCV_I32_TRUNC_F32_S, JCV_I32_TRUNC_F32_U, JCV_I32_TRUNC_F64_S,
  JCV_I32_TRUNC_F64_U, JCV_I64_TRUNC_F32_S, JCV_I64_TRUNC_F32_U,
  JCV_I64_TRUNC_F64_S, JCV_I64_TRUNC_F64_U,
  JCV_I32_TRUNC_SAT_F32_S, JCV_I32_TRUNC_SAT_F32_U, JCV_I32_TRUNC_SAT_F64_S,
  JCV_I32_TRUNC_SAT_F64_U, JCV_I64_TRUNC_SAT_F32_S, JCV_I64_TRUNC_SAT_F32_U,
  JCV_I64_TRUNC_SAT_F64_S, JCV_I64_TRUNC_SAT_F64_U,
  JCV_F32_CONVERT_I32_S, JCV_F32_CONVERT_I32_U, JCV_F32_CONVERT_I64_S,
  JCV_F32_CONVERT_I64_U, JCV_F64_CONVERT_I32_S, JCV_F64_CONVERT_I32_U,
  JCV_F64_CONVERT_I64_S, JCV_F64_CONVERT_I64_U,
  JCV_F32_DEMOTE_F64, JCV_F64_PROMOTE_F32,
  JCV_I32_REINTERPRET_F32, JCV_I64_REINTERPRET_F64,
  JCV_F32_REINTERPRET_I32, JCV_F64_REINTERPRET_I64,
} jit_convop;

/* The SIMD operations, named after the wasm opcode, with its 0xFD code as
 * the value (so ranges of codes keep their meaning): one enumerator for
 * each 0xFD row of jit/opcodes.def. */
#define JIT_VOP_0(name, code)
#define JIT_VOP_0xFC(name, code)
#define JIT_VOP_0xFD(name, code) JV_##name = code,
#define JIT_VOP_0xFB(name, code)
#define JIT_VOP_0xFE(name, code)
typedef enum jit_vop {
#define OP(name, text, prefix, code, ...) JIT_VOP_##prefix(name, code)
#include "opcodes.def"
#undef OP
} jit_vop;
#undef JIT_VOP_0
#undef JIT_VOP_0xFC
#undef JIT_VOP_0xFD
#undef JIT_VOP_0xFB
#undef JIT_VOP_0xFE

/* Memory access kinds, named after the wasm opcode. */
typedef enum jit_memop {
  JM_I32_LOAD, JM_I64_LOAD, JM_F32_LOAD, JM_F64_LOAD,
  JM_I32_LOAD8_S, JM_I32_LOAD8_U, JM_I32_LOAD16_S, JM_I32_LOAD16_U,
  JM_I64_LOAD8_S, JM_I64_LOAD8_U, JM_I64_LOAD16_S, JM_I64_LOAD16_U,
  JM_I64_LOAD32_S, JM_I64_LOAD32_U,
  JM_I32_STORE, JM_I64_STORE, JM_F32_STORE, JM_F64_STORE,
  JM_I32_STORE8, JM_I32_STORE16, JM_I64_STORE8, JM_I64_STORE16,
  JM_I64_STORE32,
} jit_memop;

/* A position in the code. Unbound labels collect fixups that are patched
 * when the label is bound (or at masm_finish when it was bound earlier). */
typedef struct jit_label {
  int32_t pos;    /* code offset, or -1 while unbound */
  int32_t fixups; /* head of this label's fixup chain in jit_masm, -1 none */
} jit_label;

static inline void jit_label_init(jit_label *l) {
  l->pos = -1;
  l->fixups = -1;
}

typedef struct jit_fixup {
  uint32_t at;   /* code offset of the field to patch */
  uint8_t kind;  /* backend-defined: rel8/rel32/branch19/table entry... */
  int32_t next;  /* next fixup of the same label, -1 ends */
  int32_t base;  /* backend-defined extra (e.g. jump table start) */
} jit_fixup;

/* A place that may trap: a ud2/udf stub or a faulting memory access. */
typedef struct jit_trapsite {
  uint32_t offset; /* code offset of the trapping instruction */
  uint8_t code;    /* wrun_trap_code */
} jit_trapsite;

/* A direct call to be patched once all functions are placed. */
typedef struct jit_reloc {
  uint32_t at;         /* code offset of the call's displacement field */
  uint32_t func_index; /* callee (a defined function) */
} jit_reloc;

/* Relocatable code (jit_options.relocatable, for serialized modules):
 * a process-specific value the code embeds, in the backend's patchable
 * form at `at` (mov_sym, call_abs), rewritten by patch_sym when the code
 * is loaded into another process. */
typedef enum jit_sym_kind {
  JIT_SYM_LIBCALL = 1, /* a C function's address; index: jit_libcall_index */
  JIT_SYM_TYPE_ID = 2, /* the 32-bit interned id of module type index */
  JIT_SYM_RTT = 3,     /* the address of the rtt of module type index */
} jit_sym_kind;
#define JIT_SYM_KIND_MAX 3

typedef struct jit_symreloc {
  uint32_t at;
  uint32_t index;
  uint8_t kind; /* jit_sym_kind */
} jit_symreloc;

/* A literal of a backend's per-function pool (jit_masm.lits): bits of
 * size 4 or 8, and a use of one, a 32-bit pc-relative field at `at`. */
typedef struct jit_literal {
  uint64_t bits;
  uint8_t size;
} jit_literal;
typedef struct jit_literal_use {
  uint32_t at, lit;
} jit_literal_use;

typedef struct jit_masm {
  jit_buf buf;
  jit_fixup *fixups;
  uint32_t nfixups, cap_fixups;
  /* fixups still in some unbound label's chain; at 0 the array is
   * reused from its start (it would otherwise grow with the module) */
  uint32_t pending_fixups;
  jit_trapsite *traps;
  uint32_t ntraps, cap_traps;
  jit_reloc *relocs;
  uint32_t nrelocs, cap_relocs;
  /* relocatable: process-specific values get patchable forms, listed in
   * syms; otherwise they are plain immediates (the shortest encoding) */
  bool relocatable;
  jit_symreloc *syms;
  uint32_t nsyms, cap_syms;
  /* pc -> wasm offset map of trap sites and calls (jit/pcmap.h), noted
   * with *wasm_offset: where the compiler keeps the offset of the
   * instruction being compiled (JIT_NO_WASM_OFFSET: none to note), NULL
   * outside function bodies (trampolines). A pointer, not a copy: no
   * store per instruction compiled. */
  jit_pcmap_writer pcmap;
  const uint32_t *wasm_offset;
  uint32_t frame_size_at; /* where the prologue's frame size goes */
  /* The literals the function being emitted loads pc-relatively, laid
   * out after its code by the backend's finish_frame (x86-64: float
   * constants); in_function: between a prologue and its finish_frame,
   * where a pool will follow (trampolines build constants inline). */
  jit_literal *lits;
  uint32_t nlits, cap_lits;
  jit_literal_use *lit_uses;
  uint32_t nlit_uses, cap_lit_uses;
  bool in_function;
  uint32_t veneer_scan;   /* AArch64: first fixup that may need a veneer */
  /* Either makes the result unusable; the compiler reports them as
   * different errors (jit_masm_failure). */
  bool oom;               /* an allocation failed */
  const char *refusal;    /* why the backend refused an operation, or NULL */
  /* The base register of linear-memory accesses (load_mem, store_mem,
   * store_mem_imm, vmem): JIT_NO_REG for memory 0's pinned membase_reg,
   * else a GPR holding another memory's base (jit_masm_set_mem_base). */
  jit_reg mem_base;
  /* Register addresses of those accesses are whole u64s (a memory64 that
   * may pass 4 GiB, checked against its size), not u32s with a zero upper
   * half: AArch64 then indexes with the X register (the x86-64 index is
   * always the whole register). */
  bool mem_index64;
} jit_masm;

/* Makes the following memory accesses address from base (a GPR the
 * compiler allocated and filled), or again from memory 0's pinned
 * register when base is JIT_NO_REG. */
static inline void jit_masm_set_mem_base(jit_masm *m, jit_reg base) {
  m->mem_base = base;
}

/* Makes the following register addresses u64s (index64) or u32s. */
static inline void jit_masm_set_mem_index64(jit_masm *m, bool index64) {
  m->mem_index64 = index64;
}

void jit_masm_init(jit_masm *m);
void jit_masm_free(jit_masm *m);
/* For backends: refuses the operation being emitted (an unencodable
 * distance, a broken invariant), saying why; the first reason stays. */
void jit_masm_refuse(jit_masm *m, const char *why);
/* Is the emitted code unusable (refused, or out of memory)? Inline: the
 * compiler asks after every instruction. */
static inline bool jit_masm_failed(const jit_masm *m) {
  return m->refusal || m->oom || m->buf.oom;
}
/* Why it is unusable: the backend's refusal, else "out of memory". */
const char *jit_masm_failure(const jit_masm *m);
/* For backends: notes a use at `at` of the literal of `size` bytes
 * (4 or 8) with these bits, shared with an earlier use of the same
 * literal in the function where one is found nearby; false when out of
 * memory (the masm is then failed). */
bool jit_masm_use_literal(jit_masm *m, uint32_t at, uint64_t bits,
                          uint8_t size);
/* Bookkeeping for backends: trap sites, direct-call relocations. */
void jit_masm_add_trap(jit_masm *m, uint32_t offset, uint8_t code);
void jit_masm_add_reloc(jit_masm *m, uint32_t at, uint32_t func_index);
/* For backends: a process-specific value at code offset at. */
void jit_masm_add_sym(jit_masm *m, uint32_t at, uint8_t kind, uint32_t index);
/* For backends: records call_abs's target when the code is relocatable
 * (refusing a C function the symbol list lacks). */
void jit_masm_add_libcall_sym(jit_masm *m, uint32_t at, const void *fn);
/* For backends, right after emitting a call instruction: its return
 * address is the current position. */
static inline void jit_masm_note_call(jit_masm *m) {
  if (m->wasm_offset && *m->wasm_offset != JIT_NO_WASM_OFFSET)
    jit_pcmap_add(&m->pcmap, jit_buf_pos(&m->buf) - 1, *m->wasm_offset);
}
/* Appends src's code at m's position, with its trap sites, call
 * relocations, symbols and pc map (whose entries count from each
 * function's start, so they move as they are) rebased there, and its
 * failure if it failed. For code compiled apart (jit/compile_parallel.c):
 * src's labels are all bound. With page non-zero the code moves by
 * whole pages where jit_buf_move_pages can (src's code is then gone),
 * else it is copied. */
void jit_masm_append(jit_masm *m, jit_masm *src, size_t page);
/* Records a fixup for label l at code offset at (for backends). */
void jit_masm_add_fixup(jit_masm *m, jit_label *l, uint32_t at, uint8_t kind,
                        int32_t base);

/* The largest amount one fuel charge takes: it fits the 12-bit immediate
 * of an AArch64 subs, so a charge is patched in one word. */
#define JIT_FUEL_MAX_CHARGE 4095u

/* ---- backend interface ------------------------------------------------ */
#define JIT_MASM_FUNCS(P)                                                     \
  /* moves */                                                                 \
  void P##mov(jit_masm *m, jit_type t, jit_reg dst, jit_reg src);             \
  void P##mov_imm(jit_masm *m, jit_type t, jit_reg dst, uint64_t bits);       \
  void P##load_frame(jit_masm *m, jit_type t, jit_reg dst, int32_t off);      \
  void P##store_frame(jit_masm *m, jit_type t, jit_reg src, int32_t off);     \
  void P##store_frame_imm(jit_masm *m, jit_type t, int32_t off,               \
                          uint64_t bits);                                     \
  /* zero len bytes (multiple of 8) of the frame from fp+off upward */        \
  void P##zero_frame(jit_masm *m, int32_t off, uint32_t len);                 \
  void P##load_sp(jit_masm *m, jit_type t, jit_reg dst, int32_t off);         \
  void P##store_sp(jit_masm *m, jit_type t, jit_reg src, int32_t off);        \
  void P##store_sp_imm(jit_masm *m, jit_type t, int32_t off, uint64_t bits);  \
  /* dst = sp (the outgoing area's address: the throw libcall's payload) */   \
  void P##sp_address(jit_masm *m, jit_reg dst);                               \
  /* [base + off]; base a GPR */                                              \
  void P##load_ptr(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,        \
                   int32_t off);                                              \
  void P##store_ptr(jit_masm *m, jit_type t, jit_reg src, jit_reg base,       \
                    int32_t off);                                             \
  /* dst = [base + (index << shift) + off], index a GPR holding a u32 */     \
  void P##load_indexed(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,    \
                       jit_reg index, uint8_t shift, int32_t off);            \
  /* integer arithmetic: t is JT_I32 or JT_I64 (JT_REF as I64) */             \
  void P##binop(jit_masm *m, jit_binop op, jit_type t, jit_reg dst,           \
                jit_reg lhs, jit_opnd rhs);                                   \
  /* dst = base + (index << shift) + imm, shift 1-3, base JIT_NO_REG for    \
   * none (x86-64 lea; AArch64 add with a shifted register) */              \
  void P##add_scaled(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,      \
                     jit_reg index, uint8_t shift, int32_t imm);              \
  /* jumps to div_zero when rhs is 0, to overflow on INT_MIN / -1 (div_s    \
   * only; rem_s gives 0 there). dst may equal lhs or rhs. */                 \
  void P##divrem(jit_masm *m, jit_divop op, jit_type t, jit_reg dst,          \
                 jit_reg lhs, jit_reg rhs, jit_label *div_zero,               \
                 jit_label *overflow);                                        \
  void P##unop(jit_masm *m, jit_unop op, jit_type t, jit_reg dst,             \
               jit_reg src);                                                  \
  /* dst (i32) = lhs cond rhs; for float conds rhs is a register */           \
  void P##cmp_set(jit_masm *m, jit_cond c, jit_type t, jit_reg dst,           \
                  jit_reg lhs, jit_opnd rhs);                                 \
  /* jump to l if lhs cond rhs */                                             \
  void P##cmp_branch(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,        \
                     jit_opnd rhs, jit_label *l);                             \
  /* jump to l if NOT (lhs cond rhs); for float conds that includes        \
   * unordered (NaN) operands, unlike the opposite ordered condition */      \
  void P##cmp_branch_not(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,    \
                         jit_opnd rhs, jit_label *l);                         \
  /* jump to l if (reg == 0) == if_zero */                                    \
  void P##branch_zero(jit_masm *m, jit_type t, jit_reg reg, bool if_zero,     \
                      jit_label *l);                                          \
  /* dst = cond != 0 ? a : b (cond an i32 GPR); dst may equal a or b */       \
  void P##select(jit_masm *m, jit_type t, jit_reg dst, jit_reg cond,          \
                 jit_reg a, jit_reg b);                                       \
  /* dst = (lhs c rhs) ? a : b; fused compare-select */                       \
  void P##cmp_select(jit_masm *m, jit_cond c, jit_type ct, jit_reg lhs,       \
                     jit_opnd rhs, jit_type t, jit_reg dst, jit_reg a,        \
                     jit_reg b);                                              \
  /* floats */                                                                \
  void P##fbinop(jit_masm *m, jit_fbinop op, jit_type t, jit_reg dst,         \
                 jit_reg lhs, jit_reg rhs);                                   \
  void P##funop(jit_masm *m, jit_funop op, jit_type t, jit_reg dst,           \
                jit_reg src);                                                 \
  /* conversions; trapping truncations jump to invalid (NaN) or overflow */   \
  void P##convert(jit_masm *m, jit_convop op, jit_reg dst, jit_reg src,       \
                  jit_label *invalid, jit_label *overflow);                   \
  /* linear memory 0: [membase + zext(addr) + offset]; addr a GPR holding a \
   * u32 or an immediate u32. Records an out-of-bounds trap site at the      \
   * faulting instruction. Stores take src as a register. */                 \
  void P##load_mem(jit_masm *m, jit_memop op, jit_reg dst, jit_opnd addr,     \
                   uint32_t offset);                                          \
  void P##store_mem(jit_masm *m, jit_memop op, jit_reg src, jit_opnd addr,    \
                    uint32_t offset);                                         \
  /* store of a constant (the value's bits, any width) */                    \
  void P##store_mem_imm(jit_masm *m, jit_memop op, uint64_t bits,             \
                        jit_opnd addr, uint32_t offset);                      \
  /* threads (jit/codegen_atomic.c): sequentially consistent accesses of    \
   * 1 << size bytes at load_mem's address, with its out-of-bounds trap     \
   * site; the compiler checked the alignment. Results (the old value for  \
   * rmw and cmpxchg) are zero-extended; dst is distinct from every other   \
   * register operand. cmpxchg compares the low 8 << size bits of expected.*/\
  void P##atomic_load(jit_masm *m, unsigned size, jit_reg dst,                \
                      jit_opnd addr, uint32_t offset);                        \
  void P##atomic_store(jit_masm *m, unsigned size, jit_reg src,               \
                       jit_opnd addr, uint32_t offset);                       \
  void P##atomic_rmw(jit_masm *m, jit_atomic_op op, unsigned size,            \
                     jit_reg dst, jit_reg val, jit_opnd addr,                 \
                     uint32_t offset);                                        \
  void P##atomic_cmpxchg(jit_masm *m, unsigned size, jit_reg dst,             \
                         jit_reg expected, jit_reg replacement,               \
                         jit_opnd addr, uint32_t offset);                     \
  void P##atomic_fence(jit_masm *m);                                          \
  /* control */                                                               \
  void P##jmp(jit_masm *m, jit_label *l);                                     \
  void P##bind(jit_masm *m, jit_label *l);                                    \
  /* if index (u32 GPR) >= n jump to dflt, else to targets[index] */          \
  void P##jump_table(jit_masm *m, jit_reg index, uint32_t n,                  \
                     jit_label **targets, jit_label *dflt);                   \
  /* calls: all allocatable registers are clobbered */                        \
  void P##call_func(jit_masm *m, uint32_t func_index); /* direct, reloc */    \
  void P##call_reg(jit_masm *m, jit_reg target);                              \
  void P##call_abs(jit_masm *m, const void *fn); /* a C function */           \
  /* dst (a GPR) = value, a process-specific value (jit_sym_kind) that   \
   * relocatable code names by kind and index; 32 bits for a type id,     \
   * else 64 */                                                            \
  void P##mov_sym(jit_masm *m, jit_reg dst, uint8_t kind, uint32_t index,  \
                  uint64_t value);                                         \
  /* bytes of code at a sym's `at` that patch_sym rewrites (0: no such     \
   * kind), and the rewrite */                                             \
  uint32_t P##sym_bytes(uint8_t kind);                                     \
  void P##patch_sym(uint8_t *code, uint32_t at, uint8_t kind,              \
                    uint64_t value);                                       \
  /* tail calls: jumps that leave this function's frame (after            \
   * tail_epilogue, which restores sp/fp/lr as epilogue does, without the   \
   * return): direct (reloc, like call_func) or through a register */       \
  void P##jmp_func(jit_masm *m, uint32_t func_index);                         \
  void P##jmp_reg(jit_masm *m, jit_reg target);                               \
  void P##tail_epilogue(jit_masm *m);                                         \
  /* frame: prologue saves fp (and lr), checks the stack against            \
   * [ctx_reg + stack_limit_off] (jumping to overflow if sp - frame would     \
   * pass below it) and reserves the frame, whose size is patched by        \
   * finish_frame. */                                                         \
  void P##prologue(jit_masm *m, jit_reg ctx_reg, int32_t stack_limit_off,    \
                   jit_label *overflow);                                      \
  /* sp below [vmctx_reg + limit_off] jumps to trap; only the flags (and on \
   * arm64 the scratch registers) change. At loop headers, so a poisoned     \
   * limit (wrun_store_interrupt) stops a running loop. */                   \
  void P##stack_check(jit_masm *m, int32_t limit_off, jit_label *trap);       \
  /* pads with no-ops up to a multiple of alignment (a power of two, at     \
   * least the instruction size): loop heads and function entries */        \
  void P##align(jit_masm *m, uint32_t alignment);                             \
  void P##finish_frame(jit_masm *m, uint32_t frame_size);                     \
  /* fuel (jit/codegen_fuel.c): target.fuel_reg holds the fuel left in a    \
   * function compiled with fuel; the counter in memory is the uint64_t      \
   * that the pointer at [base + ptr_off] points to.                         \
   * fuel_charge: fuel_reg -= amount, jumping to out_of_fuel on the borrow   \
   * (it held less); the amount, 0..JIT_FUEL_MAX_CHARGE, is patched in by    \
   * fuel_patch at the returned offset once known. fuel_load/fuel_store      \
   * copy the counter into/out of fuel_reg. Only the scratch registers, the \
   * flags and fuel_reg change. */                                           \
  uint32_t P##fuel_charge(jit_masm *m, jit_label *out_of_fuel);               \
  void P##fuel_patch(jit_masm *m, uint32_t at, uint32_t amount);              \
  void P##fuel_load(jit_masm *m, jit_reg base, int32_t ptr_off);              \
  void P##fuel_store(jit_masm *m, jit_reg base, int32_t ptr_off);             \
  void P##epilogue(jit_masm *m); /* restores sp/fp and returns */             \
  void P##trap(jit_masm *m, uint8_t code); /* ud2/udf + trap site */          \
  /* trampolines (whole functions, appended to the buffer; see vmctx.h) */   \
  void P##entry_trampoline(jit_masm *m, const rt_valtype *params,             \
                           uint32_t nparams, const rt_valtype *results,       \
                           uint32_t nresults);                                \
  void P##exit_trampoline(jit_masm *m, const rt_valtype *params,              \
                          uint32_t nparams, const rt_valtype *results,        \
                          uint32_t nresults, const void *host_call);          \
  /* patch a direct call at `at` to reach code offset target (same buf) */    \
  void P##patch_call(uint8_t *code, uint32_t at, uint32_t target);           \
  /* SIMD: v128 values live in FPRs. `op` names the wasm instruction whose  \
   * semantics to emit (jit_vop). vop and vmem return                        \
   * false, emitting nothing, for an op the backend does not implement:     \
   * the compiler then refuses the function. */                              \
  bool P##simd_supported(void);                                              \
  void P##vconst(jit_masm *m, jit_reg dst, const uint8_t bytes[16]);         \
  /* dst = op(src[0], src[1], src[2]) (operands bottom to top as on the     \
   * wasm stack; scalars in GPRs/FPRs by type). dst is distinct from every  \
   * src. imm: the lane index, or the 16 lanes of i8x16.shuffle. */          \
  bool P##vop(jit_masm *m, jit_vop op, jit_reg dst, const jit_reg *src,     \
              const uint8_t *imm);                                           \
  /* v128 loads (reg = dst; for loadN_lane it holds the vector to update   \
   * in place) and stores (reg = the vector) at [membase + addr + offset]. */\
  bool P##vmem(jit_masm *m, jit_vop op, jit_reg reg, jit_opnd addr,         \
               uint32_t offset, uint8_t lane);                               \
  /* Deterministic mode: every NaN in reg (each lane, by shape s) becomes  \
   * the canonical quiet NaN, positive with a zero payload (f32 0x7fc00000, \
   * f64 0x7ff8000000000000); other values keep their bits. Besides reg,   \
   * only scratch registers and the flags change. */                        \
  void P##canon_nan(jit_masm *m, jit_fshape s, jit_reg reg);

JIT_MASM_FUNCS(x64_masm_)
JIT_MASM_FUNCS(a64_masm_)

/* Whether the AArch64 backend emits LSE atomics (detected once). */
bool a64_masm_has_lse(void);

extern const jit_target x64_target;
extern const jit_target a64_target;

/* Host dispatch: the compiler writes masm_xxx and gets the host's backend. */
#if defined(__x86_64__)
#define JIT_HOST_PREFIX(name) x64_masm_##name
#define jit_host_target x64_target
#elif defined(__aarch64__)
#define JIT_HOST_PREFIX(name) a64_masm_##name
#define jit_host_target a64_target
#else
#error "wrun supports x86-64 and AArch64 hosts"
#endif

#define masm_mov JIT_HOST_PREFIX(mov)
#define masm_mov_imm JIT_HOST_PREFIX(mov_imm)
#define masm_load_frame JIT_HOST_PREFIX(load_frame)
#define masm_store_frame JIT_HOST_PREFIX(store_frame)
#define masm_store_frame_imm JIT_HOST_PREFIX(store_frame_imm)
#define masm_zero_frame JIT_HOST_PREFIX(zero_frame)
#define masm_load_sp JIT_HOST_PREFIX(load_sp)
#define masm_store_sp JIT_HOST_PREFIX(store_sp)
#define masm_store_sp_imm JIT_HOST_PREFIX(store_sp_imm)
#define masm_sp_address JIT_HOST_PREFIX(sp_address)
#define masm_load_ptr JIT_HOST_PREFIX(load_ptr)
#define masm_store_ptr JIT_HOST_PREFIX(store_ptr)
#define masm_load_indexed JIT_HOST_PREFIX(load_indexed)
#define masm_binop JIT_HOST_PREFIX(binop)
#define masm_add_scaled JIT_HOST_PREFIX(add_scaled)
#define masm_divrem JIT_HOST_PREFIX(divrem)
#define masm_unop JIT_HOST_PREFIX(unop)
#define masm_cmp_set JIT_HOST_PREFIX(cmp_set)
#define masm_cmp_branch JIT_HOST_PREFIX(cmp_branch)
#define masm_cmp_branch_not JIT_HOST_PREFIX(cmp_branch_not)
#define masm_branch_zero JIT_HOST_PREFIX(branch_zero)
#define masm_select JIT_HOST_PREFIX(select)
#define masm_cmp_select JIT_HOST_PREFIX(cmp_select)
#define masm_fbinop JIT_HOST_PREFIX(fbinop)
#define masm_store_mem_imm JIT_HOST_PREFIX(store_mem_imm)
#define masm_funop JIT_HOST_PREFIX(funop)
#define masm_convert JIT_HOST_PREFIX(convert)
#define masm_load_mem JIT_HOST_PREFIX(load_mem)
#define masm_store_mem JIT_HOST_PREFIX(store_mem)
#define masm_jmp JIT_HOST_PREFIX(jmp)
#define masm_atomic_load JIT_HOST_PREFIX(atomic_load)
#define masm_atomic_store JIT_HOST_PREFIX(atomic_store)
#define masm_atomic_rmw JIT_HOST_PREFIX(atomic_rmw)
#define masm_atomic_cmpxchg JIT_HOST_PREFIX(atomic_cmpxchg)
#define masm_atomic_fence JIT_HOST_PREFIX(atomic_fence)
#define masm_bind JIT_HOST_PREFIX(bind)
#define masm_jump_table JIT_HOST_PREFIX(jump_table)
#define masm_call_func JIT_HOST_PREFIX(call_func)
#define masm_call_reg JIT_HOST_PREFIX(call_reg)
#define masm_call_abs JIT_HOST_PREFIX(call_abs)
#define masm_mov_sym JIT_HOST_PREFIX(mov_sym)
#define masm_sym_bytes JIT_HOST_PREFIX(sym_bytes)
#define masm_patch_sym JIT_HOST_PREFIX(patch_sym)
#define masm_jmp_func JIT_HOST_PREFIX(jmp_func)
#define masm_jmp_reg JIT_HOST_PREFIX(jmp_reg)
#define masm_tail_epilogue JIT_HOST_PREFIX(tail_epilogue)
#define masm_prologue JIT_HOST_PREFIX(prologue)
#define masm_stack_check JIT_HOST_PREFIX(stack_check)
#define masm_align JIT_HOST_PREFIX(align)
#define masm_finish_frame JIT_HOST_PREFIX(finish_frame)
#define masm_fuel_charge JIT_HOST_PREFIX(fuel_charge)
#define masm_fuel_patch JIT_HOST_PREFIX(fuel_patch)
#define masm_fuel_load JIT_HOST_PREFIX(fuel_load)
#define masm_fuel_store JIT_HOST_PREFIX(fuel_store)
#define masm_epilogue JIT_HOST_PREFIX(epilogue)
#define masm_trap JIT_HOST_PREFIX(trap)
#define masm_entry_trampoline JIT_HOST_PREFIX(entry_trampoline)
#define masm_exit_trampoline JIT_HOST_PREFIX(exit_trampoline)
#define masm_patch_call JIT_HOST_PREFIX(patch_call)
#define masm_simd_supported JIT_HOST_PREFIX(simd_supported)
#define masm_vconst JIT_HOST_PREFIX(vconst)
#define masm_vop JIT_HOST_PREFIX(vop)
#define masm_vmem JIT_HOST_PREFIX(vmem)
#define masm_canon_nan JIT_HOST_PREFIX(canon_nan)

#endif
