/* Process-specific values that compiled code embeds, and how relocatable
 * code names them (jit/jit.h, "Relocatable code"): the C functions it
 * calls by absolute address, named by their position in this list. The
 * list's order is part of the serialized format (runtime/serialize.c):
 * append, and bump RT_SERIAL_FORMAT when an entry moves or goes. */
#include "jit.h"

#include "exception.h"
#include "libcalls.h"

static const void *const libcalls[] = {
    (const void *)rt_lib_memory_grow,
    (const void *)rt_lib_memory_grow64,
    (const void *)rt_lib_memory_fill,
    (const void *)rt_lib_memory_copy,
    (const void *)rt_lib_memory_init,
    (const void *)rt_lib_data_drop,
    (const void *)rt_lib_table_grow,
    (const void *)rt_lib_table_grow64,
    (const void *)rt_lib_table_fill,
    (const void *)rt_lib_table_copy,
    (const void *)rt_lib_table_init,
    (const void *)rt_lib_elem_drop,
    (const void *)rt_lib_atomic_notify,
    (const void *)rt_lib_atomic_wait32,
    (const void *)rt_lib_atomic_wait64,
    (const void *)rt_lib_ref_test_func,
    (const void *)rt_lib_ref_cast_func,
    (const void *)rt_lib_indirect_subtype,
    (const void *)rt_lib_gc_struct_new,
    (const void *)rt_lib_gc_array_new,
    (const void *)rt_lib_gc_array_new_data,
    (const void *)rt_lib_gc_array_new_elem,
    (const void *)rt_lib_gc_array_copy,
    (const void *)rt_lib_gc_array_init_data,
    (const void *)rt_lib_gc_array_init_elem,
    (const void *)rt_lib_throw,
    (const void *)rt_lib_throw_ref,
    (const void *)rt_host_call,
    (const void *)rt_lib_trap,
};

#define NLIBCALLS (sizeof libcalls / sizeof libcalls[0])

uint32_t jit_libcall_index(const void *fn) {
  for (uint32_t i = 0; i < NLIBCALLS; i++)
    if (libcalls[i] == fn) return i;
  return UINT32_MAX;
}

uint32_t jit_libcall_count(void) { return (uint32_t)NLIBCALLS; }

const void *jit_libcall_at(uint32_t i) {
  return i < NLIBCALLS ? libcalls[i] : NULL;
}
