/* The array layout of values: how arguments and results sit in the value
 * array of array_call (runtime/vmctx.h), in the outgoing area of a wasm
 * call, and in what an exit trampoline hands to rt_host_call. Each value
 * takes one slot from where the previous one ended, in its natural
 * encoding from the slot's start (i32 zero-extended, floats as bits,
 * references as pointers).
 *
 * Shared by the runtime, the compiler and both backends' trampolines, so
 * it depends on nothing: a backend sees this layout without seeing the
 * vmctx or the module. */
#ifndef RT_ARRAY_LAYOUT_H
#define RT_ARRAY_LAYOUT_H

#include <stdint.h>

/* A value type: the one-byte binary code of a number or vector type, or a
 * reference type with its heap type and nullability packed above the code
 * (runtime/module.h says how). Backends only tell v128 and the numbers
 * apart; every other value is a reference, a pointer. */
typedef uint32_t rt_valtype;

#define RT_ARRAY_SLOT_SIZE 8       /* every value but v128 */
#define RT_ARRAY_V128_SLOT_SIZE 16
/* Value arrays are uint64_t arrays: one element a slot. */
_Static_assert(sizeof(uint64_t) == RT_ARRAY_SLOT_SIZE, "a slot is a uint64_t");
/* The value type byte of v128 (VT_V128 of runtime/module.h, checked there
 * by runtime/vmctx.h). */
#define RT_ARRAY_V128_TYPE 0x7B
/* Those of i32 and i64: the integers that may also travel in registers
 * (jit/masm.h, jit_reg_args). */
#define RT_ARRAY_I32_TYPE 0x7F
#define RT_ARRAY_I64_TYPE 0x7E

/* Bytes a value of type valtype takes. */
static inline uint32_t rt_array_slot_size(rt_valtype valtype) {
  return valtype == RT_ARRAY_V128_TYPE ? RT_ARRAY_V128_SLOT_SIZE
                                       : RT_ARRAY_SLOT_SIZE;
}

/* Bytes n values take (their offsets are the running sum). */
static inline uint32_t rt_array_size(const rt_valtype *valtypes, uint32_t n) {
  uint32_t size = 0;
  for (uint32_t i = 0; i < n; i++) size += rt_array_slot_size(valtypes[i]);
  return size;
}

#endif
