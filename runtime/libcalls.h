/* C functions that compiled code calls (C ABI) for operations too large to
 * inline: bulk memory, tables, growth. The first argument is always the
 * calling instance's vmctx. Immediates come first, then the wasm operands in
 * stack order (deepest first). A function that traps does not return: it
 * calls rt_trap_raise, which unwinds to the entry of the current wasm call.
 */
#ifndef RT_LIBCALLS_H
#define RT_LIBCALLS_H

#include <stdint.h>
#include "wrun.h"

__attribute__((noreturn)) void rt_trap_raise(wrun_trap_code code);
/* A trap of compiled code without signals (jit_options.no_signals): the
 * trap stubs call it with their code (a wrun_trap_code). */
__attribute__((noreturn)) void rt_lib_trap(uint32_t code);

/* mem: a memory index of the calling instance. Addresses and sizes are
 * u64 (an i32 arrives zero-extended), so one function serves memory64. */
int32_t rt_lib_memory_grow(void *vmctx, uint32_t mem,
                           uint32_t delta); /* old pages or -1 */
int64_t rt_lib_memory_grow64(void *vmctx, uint32_t mem, uint64_t delta);
/* Threads (runtime/wait.c): the address is addr + offset of memory mem;
 * out of bounds, unaligned and (wait) unshared memories trap. notify
 * returns how many waiters it woke (at most count); wait returns 0 woken,
 * 1 the value was not expected, 2 timed out (timeout in ns, < 0 never). */
int32_t rt_lib_atomic_notify(void *vmctx, uint32_t mem, uint64_t offset,
                             uint64_t addr, uint32_t count);
int32_t rt_lib_atomic_wait32(void *vmctx, uint32_t mem, uint64_t offset,
                             uint64_t addr, uint32_t expected,
                             int64_t timeout);
int32_t rt_lib_atomic_wait64(void *vmctx, uint32_t mem, uint64_t offset,
                             uint64_t addr, uint64_t expected,
                             int64_t timeout);
void rt_lib_memory_fill(void *vmctx, uint32_t mem, uint64_t dst, uint32_t val,
                        uint64_t n);
void rt_lib_memory_copy(void *vmctx, uint32_t dst_mem, uint32_t src_mem,
                        uint64_t dst, uint64_t src, uint64_t n);
void rt_lib_memory_init(void *vmctx, uint32_t seg, uint32_t mem, uint64_t dst,
                        uint32_t src, uint32_t n);
void rt_lib_data_drop(void *vmctx, uint32_t seg);

/* ref.test / ref.cast to a non-final function type (id `expected`), whose
 * subtypes only the intern table knows: test gives 0 or 1; cast gives
 * funcref back or traps "cast failure". nullable: the target admits null. */
int32_t rt_lib_ref_test_func(void *vmctx, uint32_t expected, uint32_t nullable,
                             const void *funcref);
const void *rt_lib_ref_cast_func(void *vmctx, uint32_t expected,
                                 uint32_t nullable, const void *funcref);

/* call_indirect of a non-final type whose id the callee's does not equal:
 * returns funcref when its type declares `expected` among its supertypes,
 * else traps "indirect call type mismatch". */
const void *rt_lib_indirect_subtype(void *vmctx, const void *funcref,
                                    uint32_t expected);

/* GC (runtime/gc_libcalls.c): rtt is a const rt_gc_rtt * (gc.h); new
 * objects are zeroed; out of heap traps "out of GC heap memory". Array
 * operations trap on a null array, on a range past its length ("out of
 * bounds array access") and past a segment (memory or table access). */
void *rt_lib_gc_struct_new(void *vmctx, const void *rtt);
void *rt_lib_gc_array_new(void *vmctx, const void *rtt, uint32_t len);
void *rt_lib_gc_array_new_data(void *vmctx, const void *rtt, uint32_t seg,
                               uint32_t offset, uint32_t len);
void *rt_lib_gc_array_new_elem(void *vmctx, const void *rtt, uint32_t seg,
                               uint32_t offset, uint32_t len);
void rt_lib_gc_array_copy(void *vmctx, void *dst, uint32_t doff, void *src,
                          uint32_t soff, uint32_t n);
void rt_lib_gc_array_init_data(void *vmctx, uint32_t seg, void *arr,
                               uint32_t doff, uint32_t soff, uint32_t n);
void rt_lib_gc_array_init_elem(void *vmctx, uint32_t seg, void *arr,
                               uint32_t doff, uint32_t soff, uint32_t n);

/* Table indices and sizes are u64 (an i32 zero-extended), as above. */
int32_t rt_lib_table_grow(void *vmctx, uint32_t table, void *init,
                          uint32_t delta); /* old size or -1 */
int64_t rt_lib_table_grow64(void *vmctx, uint32_t table, void *init,
                            uint64_t delta);
void rt_lib_table_fill(void *vmctx, uint32_t table, uint64_t i, void *ref,
                       uint64_t n);
void rt_lib_table_copy(void *vmctx, uint32_t dst_table, uint32_t src_table,
                       uint64_t dst, uint64_t src, uint64_t n);
void rt_lib_table_init(void *vmctx, uint32_t table, uint32_t elem,
                       uint64_t dst, uint32_t src, uint32_t n);
void rt_lib_elem_drop(void *vmctx, uint32_t elem);

/* Called by exit trampolines (wasm -> host): values holds the arguments in
 * the array layout (array_layout.h) and receives the results; frame is
 * the trampoline's frame record ([0] the wasm caller's fp, [1] the return
 * address into it). A trap returned by the host function is raised (does
 * not return). */
void rt_host_call(void *host_ctx, void *caller_vmctx, uint64_t *values,
                  const uintptr_t *frame);

#endif
