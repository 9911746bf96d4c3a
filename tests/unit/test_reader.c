/* Unit tests of the binary reader (runtime/reader.c): hand-assembled
 * modules for every section kind, and the malformed/invalid cases the
 * reader must reject with the spec's wording. */
#include <criterion/criterion.h>
#include <string.h>

#include "error.h"
#include "module.h"

/* Byte-array builders. SEC computes a section's size (sections here are
 * smaller than 128 bytes, so the size is one LEB byte). */
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__})
#define NBYTES(...) sizeof(BYTES(__VA_ARGS__))
#define SEC(id, ...) id, (uint8_t)NBYTES(__VA_ARGS__), __VA_ARGS__
#define HEADER 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00
#define MOD(...) BYTES(HEADER, __VA_ARGS__), NBYTES(HEADER, __VA_ARGS__)

/* Common sections. */
#define TYPE_VOID SEC(1, 0x01, 0x60, 0x00, 0x00) /* type 0: [] -> [] */
#define FUNCS_1 SEC(3, 0x01, 0x00)               /* one function, type 0 */
#define CODE_1 SEC(10, 0x01, 0x02, 0x00, 0x0B)   /* one empty body */
#define TABLE_1 SEC(4, 0x01, 0x70, 0x00, 0x01)   /* funcref table, min 1 */
#define MEMORY_1 SEC(5, 0x01, 0x00, 0x01)        /* memory, min 1 page */
/* import "m" "g" (global i32) and "m" "mg" (global (mut i32)) */
#define IMPORT_GLOBALS                                                    \
  SEC(2, 0x02, 0x01, 'm', 0x01, 'g', 0x03, 0x7F, 0x00, 0x01, 'm', 0x02, \
      'm', 'g', 0x03, 0x7F, 0x01)

static rt_module *accept(const uint8_t *bytes, size_t len) {
  rt_module *m = NULL;
  wrun_error *e = rt_module_read(bytes, len, &m);
  cr_assert_null(e, "unexpected error: %s", e ? wrun_error_message(e) : "");
  cr_assert_not_null(m);
  return m;
}

/* Rejected with a message that starts with `expected`; returns the offset. */
static size_t reject(const uint8_t *bytes, size_t len, const char *expected) {
  rt_module *m = (rt_module *)0x1;
  wrun_error *e = rt_module_read(bytes, len, &m);
  cr_assert_not_null(e, "accepted, expected \"%s\"", expected);
  cr_assert_null(m);
  const char *msg = wrun_error_message(e);
  cr_assert(strncmp(msg, expected, strlen(expected)) == 0,
            "got \"%s\", expected \"%s\"", msg, expected);
  size_t offset = wrun_error_offset(e);
  wrun_error_delete(e);
  return offset;
}

/* ---- header and sections --------------------------------------------- */

Test(reader, empty_module) {
  rt_module *m = accept(MOD());
  cr_assert_eq(m->ntypes, 0);
  cr_assert_eq(m->nfuncs, 0);
  cr_assert_eq(m->len, 8);
  cr_assert_not_null(m->func_declared);
  rt_module_free(m);
  rt_module_free(NULL);
}

Test(reader, header) {
  reject(BYTES(0), 0, "unexpected end");
  reject(BYTES(0x00, 0x61, 0x73), 3, "unexpected end");
  reject(BYTES(0x61, 0x73, 0x6D, 0x00), 4, "magic header not detected");
  reject(BYTES(0x00, 0x61, 0x73, 0x6D, 0x01), 5, "unexpected end");
  reject(BYTES(0x00, 0x61, 0x73, 0x6D, 0x02, 0, 0, 0), 8,
         "unknown binary version");
}

Test(reader, section_ids_and_sizes) {
  /* 13 is the tag section (Wasm 3.0): 14 is the first unknown id. */
  cr_assert_eq(reject(MOD(0x0E, 0x00), "malformed section id"), 8);
  reject(MOD(0x80, 0x00, 0x01, 0x00), "malformed section id");
  /* Declared size runs past the end of the file. */
  reject(MOD(0x01, 0x07, 0x01, 0x60, 0x00, 0x00), "length out of bounds");
  /* Declared size shorter than the contents. */
  reject(MOD(0x01, 0x07, 0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00),
         "section size mismatch");
  /* Declared size longer than the contents. */
  reject(MOD(0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00),
         "section size mismatch");
  /* Section header truncated. */
  reject(MOD(0x01), "unexpected end");
  reject(MOD(0x00), "unexpected end");
}

Test(reader, section_order) {
  /* Repeated section. */
  reject(MOD(TYPE_VOID, TYPE_VOID), "unexpected content after last section");
  /* Memory before table. */
  reject(MOD(MEMORY_1, TABLE_1), "unexpected content after last section");
  /* Data count goes between element and code... */
  rt_module *m = accept(MOD(TYPE_VOID, FUNCS_1, SEC(12, 0x00), CODE_1));
  cr_assert(m->has_data_count);
  cr_assert_eq(m->data_count, 0);
  rt_module_free(m);
  /* ...and not after code. */
  reject(MOD(TYPE_VOID, FUNCS_1, CODE_1, SEC(12, 0x00)),
         "unexpected content after last section");
  /* Custom sections anywhere. */
  m = accept(MOD(SEC(0, 0x01, 'a'), TYPE_VOID, SEC(0, 0x01, 'b', 0xFF),
                 FUNCS_1, SEC(0, 0x00), CODE_1, SEC(0, 0x00)));
  rt_module_free(m);
}

/* ---- LEB128 through the reader ----------------------------------------- */

Test(reader, leb128) {
  /* Non-minimal but valid: min 2 in three bytes. */
  rt_module *m = accept(MOD(SEC(5, 0x01, 0x00, 0x82, 0x80, 0x00)));
  cr_assert_eq(m->memories[0].min, 2);
  rt_module_free(m);
  /* Six bytes for a u32 (the function section's count). */
  reject(MOD(SEC(3, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00)),
         "integer representation too long");
  /* Unused bits set in the fifth byte of a u32. */
  reject(MOD(SEC(3, 0x82, 0x80, 0x80, 0x80, 0x10)), "integer too large");
  /* Limits are u64 LEBs (Wasm 3.0): six bytes are well formed, and a size
   * past 65536 pages is the memory type's error, not the encoding's. */
  m = accept(MOD(SEC(5, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00)));
  cr_assert_eq(m->memories[0].min, 2);
  rt_module_free(m);
  reject(MOD(SEC(5, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x10)),
         "memory size must be at most 65536 pages");
  /* Truncated within its section. */
  reject(MOD(SEC(5, 0x01, 0x00, 0x82, 0x80)), "unexpected end");
  /* The last byte's unused bits are checked before its continuation bit,
   * as the spec's decoder does. */
  reject(MOD(SEC(3, 0x82, 0x80, 0x80, 0x80, 0x90)), "integer too large");
  /* Cut by its section's end, a LEB128 is judged with the bytes after it
   * (the spec reads the module as one stream): too long, too large, or,
   * when it ends there, truncated. */
  reject(MOD(SEC(3, 0x01, 0x80, 0x80), 0x80, 0x80, 0x80, 0x00),
         "integer representation too long");
  reject(MOD(SEC(3, 0x01, 0x80, 0x80), 0x80, 0x80, 0x70),
         "integer too large");
  reject(MOD(SEC(3, 0x01, 0x80, 0x80), 0x80, 0x00), "unexpected end");
  /* A length beyond the module's end is out of bounds, even when its
   * section ends inside the LEB128. */
  reject(MOD(SEC(2, 0x01, 0x01, 'm'), 0x05, 0x00), "length out of bounds");
  /* The function type's form is an s7 LEB128. */
  reject(MOD(SEC(1, 0x01, 0xE0, 0x7F, 0x00, 0x00)),
         "integer representation too long");
  /* Signed: i32.const with unused bits that are not a sign extension. */
  reject(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70,
                 0x0B)),
         "integer too large");
  /* i32.const -1 in five bytes is fine. */
  m = accept(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
                     0x0B)));
  cr_assert_eq(m->globals[0].init.value[0], 0xFFFFFFFFu);
  rt_module_free(m);
  /* i64.const with eleven bytes. */
  reject(MOD(SEC(6, 0x01, 0x7E, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80,
                 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B)),
         "integer representation too long");
  /* Section size itself overlong. */
  reject(MOD(0x01, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00),
         "integer representation too long");
}

/* ---- type, import, function, code -------------------------------------- */

Test(reader, type_section) {
  rt_module *m =
      accept(MOD(SEC(1, 0x02, 0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D, 0x60, 0x03,
                     0x7C, 0x7B, 0x70, 0x01, 0x6F)));
  cr_assert_eq(m->ntypes, 2);
  cr_assert_eq(m->types[0].nparams, 2);
  cr_assert_eq(m->types[0].nresults, 1);
  cr_assert_eq(rt_param(&m->types[0], 1), VT_I64);
  cr_assert_eq(rt_result(&m->types[0], 0), VT_F32);
  cr_assert_eq(rt_param(&m->types[1], 2), VT_FUNCREF);
  cr_assert_eq(rt_result(&m->types[1], 0), VT_EXTERNREF);
  /* interned while read: two different types, two ids */
  cr_assert_neq(m->types[0].id, 0);
  cr_assert_neq(m->types[1].id, 0);
  cr_assert_neq(m->types[0].id, m->types[1].id);
  rt_module_free(m);
  reject(MOD(SEC(1, 0x01, 0x60, 0x01, 0x7A, 0x00)), "malformed value type");
  reject(MOD(SEC(1, 0x01, 0x5D, 0x00, 0x00)), "malformed function type");
  /* GC types: struct {mut i32, i8}, array of mut i16, in one rec group */
  rt_module *gc = accept(MOD(SEC(1, 0x01, 0x4E, 0x02, 0x5F, 0x02, 0x7F,
                                 0x01, 0x78, 0x00, 0x5E, 0x77, 0x01)));
  cr_assert_eq(gc->ntypes, 2);
  cr_expect_eq(gc->types[0].kind, RT_STRUCT_TYPE);
  cr_expect_eq(gc->types[0].nfields, 2);
  cr_expect(gc->types[0].mut[0] && !gc->types[0].mut[1]);
  cr_expect_eq(gc->types[0].types[1], RT_PACKED_I8);
  cr_expect_eq(gc->types[1].kind, RT_ARRAY_TYPE);
  cr_expect_eq(gc->types[1].types[0], RT_PACKED_I16);
  cr_expect_eq(gc->types[0].rec_size, 2);
  cr_expect_eq(gc->types[1].id, gc->types[0].id + 1);
  rt_module_free(gc);
  reject(MOD(SEC(1, 0x01, 0x5F, 0x01, 0x7F, 0x02)), "malformed mutability");
  /* sub: a supertype must come before, and not be final */
  reject(MOD(SEC(1, 0x01, 0x50, 0x01, 0x00, 0x60, 0x00, 0x00)),
         "unknown type");
  reject(MOD(SEC(1, 0x02, 0x60, 0x00, 0x00, 0x50, 0x01, 0x00, 0x60, 0x00,
                 0x00)),
         "sub type 1 does not match super type 0");
  rt_module *sub = accept(MOD(SEC(1, 0x02, 0x50, 0x00, 0x60, 0x00, 0x00,
                                  0x50, 0x01, 0x00, 0x60, 0x00, 0x00)));
  cr_expect(!sub->types[0].final);
  cr_expect_eq(sub->types[1].super, 0);
  cr_expect_neq(sub->types[0].id, sub->types[1].id);
  rt_module_free(sub);
  /* a function needs a function type */
  reject(MOD(SEC(1, 0x01, 0x5F, 0x00), SEC(3, 0x01, 0x00)),
         "non-function type 0");
  /* Two types declared, one given. */
  reject(MOD(SEC(1, 0x02, 0x60, 0x00, 0x00)), "unexpected end");
  /* A huge count must not allocate: it is bounded by the bytes left, and
   * one beyond the module's end is the spec's "length out of bounds". */
  reject(MOD(SEC(1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F)), "length out of bounds");
}

Test(reader, imports) {
  rt_module *m = accept(MOD(
      TYPE_VOID,
      SEC(2, 0x04,
          /* "a" "f" func type 0 */
          0x01, 'a', 0x01, 'f', 0x00, 0x00,
          /* "a" "t" table externref min 1 max 2 */
          0x01, 'a', 0x01, 't', 0x01, 0x6F, 0x01, 0x01, 0x02,
          /* "a" "m" memory min 1 */
          0x01, 'a', 0x01, 'm', 0x02, 0x00, 0x01,
          /* "a" "g" global mut f64 */
          0x01, 'a', 0x01, 'g', 0x03, 0x7C, 0x01),
      FUNCS_1, CODE_1));
  cr_assert_eq(m->nimports, 4);
  cr_assert_str_eq(m->imports[0].module, "a");
  cr_assert_str_eq(m->imports[1].name, "t");
  cr_assert_eq(m->nfuncs, 2);
  cr_assert_eq(m->nimported_funcs, 1);
  cr_assert_eq(m->ntables, 1);
  cr_assert_eq(m->nimported_tables, 1);
  cr_assert_eq(m->tables[0].elem, VT_EXTERNREF);
  cr_assert(m->tables[0].limits.has_max);
  cr_assert_eq(m->tables[0].limits.max, 2);
  cr_assert_eq(m->nmemories, 1);
  cr_assert_eq(m->nimported_memories, 1);
  cr_assert_eq(m->memories[0].min, 1);
  cr_assert_eq(m->nglobals, 1);
  cr_assert_eq(m->globals[0].type.type, VT_F64);
  cr_assert(m->globals[0].type.mut);
  rt_module_free(m);

  reject(MOD(SEC(2, 0x01, 0x00, 0x00, 0x05)), "malformed import kind");
  reject(MOD(SEC(2, 0x01, 0x00, 0x00, 0x00, 0x00)), "unknown type");
  reject(MOD(SEC(2, 0x01, 0x00, 0x00, 0x03, 0x7F, 0x02)),
         "malformed mutability");
  reject(MOD(SEC(2, 0x01, 0x00, 0x00, 0x01, 0x7F, 0x00, 0x00)),
         "malformed reference type");
  /* Wasm 3.0: any number of memories, imported and defined. */
  rt_module *two = accept(MOD(SEC(2, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00,
                                  0x00, 0x00, 0x02, 0x00, 0x00)));
  cr_expect_eq(two->nmemories, 2);
  cr_expect_eq(two->nimported_memories, 2);
  rt_module_free(two);
  two = accept(MOD(SEC(2, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00), MEMORY_1));
  cr_expect_eq(two->nmemories, 2);
  cr_expect_eq(two->nimported_memories, 1);
  rt_module_free(two);
  /* Name longer than the section. */
  reject(MOD(SEC(2, 0x01, 0x05, 'a')), "length out of bounds");
}

Test(reader, functions_and_code) {
  rt_module *m = accept(MOD(
      TYPE_VOID, SEC(3, 0x02, 0x00, 0x00),
      SEC(10, 0x02, 0x02, 0x00, 0x0B, 0x05, 0x01, 0x01, 0x7F, 0x01, 0x0B)));
  cr_assert_eq(m->nfuncs, 2);
  cr_assert_eq(m->nimported_funcs, 0);
  /* header 8 + type 6 + function 5 + code id, size, count, entry size */
  cr_assert_eq(m->funcs[0].body_offset, 23);
  cr_assert_eq(m->funcs[0].body_len, 2);
  cr_assert_eq(m->funcs[1].body_offset, 26);
  cr_assert_eq(m->funcs[1].body_len, 5);
  cr_assert_eq(m->bytes[m->funcs[1].body_offset + 4], 0x0B);
  rt_module_free(m);

  reject(MOD(TYPE_VOID, FUNCS_1),
         "function and code section have inconsistent lengths");
  reject(MOD(TYPE_VOID, CODE_1),
         "function and code section have inconsistent lengths");
  reject(MOD(TYPE_VOID, SEC(3, 0x02, 0x00, 0x00), CODE_1),
         "function and code section have inconsistent lengths");
  reject(MOD(SEC(3, 0x01, 0x00)), "unknown type");
  /* Entry size past the end of the section (and of the module: the
   * spec's len32 says "length out of bounds"). */
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(10, 0x01, 0x05, 0x00, 0x0B)),
         "length out of bounds");
  /* Body without its final end. */
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(10, 0x01, 0x03, 0x00, 0x41, 0x01)),
         "unexpected end");
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(10, 0x01, 0x00)), "unexpected end");
  /* The spec decodes on past a body's size: the next byte is an else
   * where end belongs, or an end that closes the body too late. */
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(10, 0x01, 0x03, 0x00, 0x41, 0x01), 0x05),
         "END opcode expected");
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(10, 0x01, 0x03, 0x00, 0x41, 0x01), 0x0B),
         "section size mismatch");
  /* The count is checked once the module is read: a second code section
   * is the first error. */
  reject(MOD(TYPE_VOID, SEC(3, 0x02, 0x00, 0x00), CODE_1, CODE_1),
         "unexpected content after last section");
}

/* ---- tables, memories, limits ------------------------------------------ */

Test(reader, tables_and_memories) {
  rt_module *m = accept(MOD(
      SEC(4, 0x02, 0x70, 0x00, 0x00, 0x6F, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
          0x0F),
      SEC(5, 0x01, 0x01, 0x00, 0x80, 0x80, 0x04)));
  cr_assert_eq(m->ntables, 2);
  cr_assert_eq(m->tables[1].elem, VT_EXTERNREF);
  cr_assert_eq(m->tables[1].limits.max, UINT32_MAX);
  cr_assert_eq(m->memories[0].max, 65536);
  rt_module_free(m);

  reject(MOD(SEC(4, 0x01, 0x70, 0x01, 0x02, 0x01)),
         "size minimum must not be greater than maximum");
  reject(MOD(SEC(5, 0x01, 0x01, 0x02, 0x01)),
         "size minimum must not be greater than maximum");
  reject(MOD(SEC(5, 0x01, 0x00, 0x81, 0x80, 0x04)),
         "memory size must be at most 65536 pages (4GiB)");
  reject(MOD(SEC(5, 0x01, 0x01, 0x00, 0x81, 0x80, 0x04)),
         "memory size must be at most 65536 pages (4GiB)");
  rt_module *two = accept(MOD(SEC(5, 0x02, 0x00, 0x00, 0x00, 0x03)));
  cr_expect_eq(two->nmemories, 2);
  cr_expect_eq(two->memories[1].min, 3);
  rt_module_free(two);
  /* Limits flags (Wasm 3.0 wording): everything past bit 2 is malformed;
   * bit 2 is memory64 or table64 (u64 limits), bit 1 a shared memory
   * (threads), which must have a maximum; a table cannot be shared. */
  reject(MOD(SEC(5, 0x01, 0x02, 0x00)), "shared memory must have maximum");
  rt_module *sh = accept(MOD(SEC(5, 0x01, 0x03, 0x01, 0x02)));
  cr_expect(sh->memories[0].shared);
  cr_expect_eq(sh->memories[0].max, 2);
  rt_module_free(sh);
  reject(MOD(SEC(4, 0x01, 0x70, 0x03, 0x00, 0x01)), "malformed limits flags");
  reject(MOD(SEC(5, 0x01, 0x08, 0x00)), "malformed limits flags");
  reject(MOD(SEC(5, 0x01, 0x81, 0x00, 0x00)), "malformed limits flags");
  reject(MOD(SEC(4, 0x01, 0x70, 0x02, 0x00)), "malformed limits flags");
  rt_module *t64 = accept(MOD(SEC(4, 0x01, 0x70, 0x05, 0x01, 0x80, 0x80,
                                  0x80, 0x80, 0x10)));
  cr_expect(t64->tables[0].limits.is64);
  cr_expect_eq(t64->tables[0].limits.max, 1ull << 32);
  rt_module_free(t64);
  reject(MOD(SEC(4, 0x01, 0x70, 0x0C, 0x00)), "malformed limits flags");
  /* memory64: u64 limits up to 2^48 pages. */
  rt_module *m64 = accept(MOD(SEC(5, 0x02, 0x04, 0x01, 0x05, 0x00, 0x80,
                                  0x80, 0x80, 0x80, 0x80, 0x80, 0x40)));
  cr_expect(m64->memories[0].is64);
  cr_expect_eq(m64->memories[0].min, 1);
  cr_expect(!m64->memories[0].has_max);
  cr_expect(m64->memories[1].is64 && m64->memories[1].has_max);
  cr_expect_eq(m64->memories[1].max, 1ull << 48);
  rt_module_free(m64);
  reject(MOD(SEC(5, 0x01, 0x04, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40)),
         "memory size must be at most 2^48 pages");
  reject(MOD(SEC(5, 0x01, 0x05, 0x02, 0x01)),
         "size minimum must not be greater than maximum");
  reject(MOD(SEC(4, 0x01, 0x7F, 0x00, 0x00)), "malformed reference type");
}

/* ---- globals and constant expressions ---------------------------------- */

Test(reader, global_constants) {
  rt_module *m = accept(MOD(SEC(
      6, 0x05,
      /* i32 = -2 */
      0x7F, 0x00, 0x41, 0x7E, 0x0B,
      /* mut i64 = 1 << 40 (LEB: 40 zero bits then 1) */
      0x7E, 0x01, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x0B,
      /* f32 = 1.0 */
      0x7D, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3F, 0x0B,
      /* f64 = 2.0 */
      0x7C, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0x00, 0x40, 0x0B,
      /* v128 = bytes 0..15 */
      0x7B, 0x00, 0xFD, 0x0C, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
      14, 15, 0x0B)));
  cr_assert_eq(m->nglobals, 5);
  cr_assert_eq(m->globals[0].init.kind, RT_CONST_VALUE);
  cr_assert_eq(m->globals[0].init.type, VT_I32);
  cr_assert_eq((int32_t)m->globals[0].init.value[0], -2);
  cr_assert(m->globals[1].type.mut);
  cr_assert_eq(m->globals[1].init.value[0], 1ull << 40);
  cr_assert_eq(m->globals[2].init.value[0], 0x3F800000u);
  cr_assert_eq(m->globals[3].init.value[0], 0x4000000000000000ull);
  cr_assert_eq(m->globals[4].init.type, VT_V128);
  cr_assert_eq(m->globals[4].init.value[0], 0x0706050403020100ull);
  cr_assert_eq(m->globals[4].init.value[1], 0x0F0E0D0C0B0A0908ull);
  rt_module_free(m);
}

Test(reader, global_references) {
  rt_module *m = accept(MOD(
      TYPE_VOID, IMPORT_GLOBALS, FUNCS_1,
      SEC(6, 0x03,
          /* i32 = global.get 0 (imported, immutable) */
          0x7F, 0x00, 0x23, 0x00, 0x0B,
          /* funcref = ref.func 0 */
          0x70, 0x00, 0xD2, 0x00, 0x0B,
          /* externref = ref.null extern */
          0x6F, 0x00, 0xD0, 0x6F, 0x0B),
      CODE_1));
  cr_assert_eq(m->nglobals, 5);
  cr_assert_eq(m->nimported_globals, 2);
  cr_assert_eq(m->globals[2].init.kind, RT_CONST_GLOBAL);
  cr_assert_eq(m->globals[2].init.index, 0);
  cr_assert_eq(m->globals[3].init.kind, RT_CONST_FUNC);
  /* ref.func 0 is a (ref $t) of function 0's type (type 0) */
  cr_assert_eq(m->globals[3].init.type,
               rt_vt_ref(rt_heap_of_index(HT_INDEX, 0), false));
  cr_assert_eq(m->globals[3].type.type, VT_FUNCREF);
  cr_assert_eq(m->globals[4].init.kind, RT_CONST_NULL);
  cr_assert_eq(m->globals[4].init.type, VT_EXTERNREF);
  cr_assert(m->func_declared[0]);
  rt_module_free(m);
}

Test(reader, const_expr_errors) {
  /* Wrong type. */
  reject(MOD(SEC(6, 0x01, 0x7E, 0x00, 0x41, 0x00, 0x0B)), "type mismatch");
  reject(MOD(SEC(6, 0x01, 0x70, 0x00, 0xD0, 0x6F, 0x0B)), "type mismatch");
  /* Empty, or two values. */
  reject(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x0B)), "type mismatch");
  reject(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x41, 0x00, 0x0B)),
         "type mismatch");
  /* Not constant (i32.div_s, nop, a non-const SIMD op); i32.add is one
   * since Wasm 3.0 (extended constants). */
  reject(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x41, 0x01, 0x6D, 0x0B)),
         "constant expression required");
  rt_module_free(accept(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x41, 0x00,
                                0x6A, 0x0B))));
  reject(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x01, 0x41, 0x00, 0x0B)),
         "constant expression required");
  reject(MOD(SEC(6, 0x01, 0x7B, 0x00, 0xFD, 0x0D, 0x0B)),
         "constant expression required");
  /* global.get: only globals before this one (imported or, since Wasm
   * 3.0, defined), only immutable ones. */
  reject(MOD(SEC(6, 0x02, 0x7F, 0x00, 0x23, 0x01, 0x0B, 0x7F, 0x00, 0x41,
                 0x00, 0x0B)),
         "unknown global");
  rt_module_free(accept(MOD(SEC(6, 0x02, 0x7F, 0x00, 0x41, 0x00, 0x0B, 0x7F,
                                0x00, 0x23, 0x00, 0x0B))));
  reject(MOD(IMPORT_GLOBALS, SEC(6, 0x01, 0x7F, 0x00, 0x23, 0x02, 0x0B)),
         "unknown global");
  reject(MOD(IMPORT_GLOBALS, SEC(6, 0x01, 0x7F, 0x00, 0x23, 0x01, 0x0B)),
         "constant expression required");
  reject(MOD(IMPORT_GLOBALS, SEC(6, 0x01, 0x7E, 0x00, 0x23, 0x00, 0x0B)),
         "type mismatch");
  /* ref.func of a function that does not exist. */
  reject(MOD(SEC(6, 0x01, 0x70, 0x00, 0xD2, 0x00, 0x0B)), "unknown function");
  /* Truncated: no end. */
  reject(MOD(SEC(6, 0x01, 0x7F, 0x00, 0x41, 0x00)), "unexpected end");
  reject(MOD(SEC(6, 0x01, 0x7D, 0x00, 0x43, 0x00, 0x00)), "unexpected end");
  reject(MOD(SEC(6, 0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B)),
         "malformed mutability");
}

/* ---- exports and start ------------------------------------------------- */

Test(reader, exports) {
  rt_module *m = accept(MOD(
      TYPE_VOID, SEC(3, 0x02, 0x00, 0x00), TABLE_1, MEMORY_1,
      SEC(6, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x0B),
      SEC(7, 0x04, 0x01, 'f', 0x00, 0x01, 0x01, 't', 0x01, 0x00, 0x01, 'm',
          0x02, 0x00, 0x02, 0xC3, 0xA9, 0x03, 0x00),
      SEC(10, 0x02, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B)));
  cr_assert_eq(m->nexports, 4);
  cr_assert_str_eq(m->exports[0].name, "f");
  cr_assert_eq(m->exports[0].kind, WRUN_EXTERN_FUNC);
  cr_assert_eq(m->exports[0].index, 1);
  cr_assert_str_eq(m->exports[3].name, "\xC3\xA9");
  cr_assert_eq(m->exports[3].kind, WRUN_EXTERN_GLOBAL);
  cr_assert_not(m->func_declared[0]);
  cr_assert(m->func_declared[1]);
  rt_module_free(m);

  reject(MOD(TYPE_VOID, FUNCS_1,
             SEC(7, 0x02, 0x01, 'a', 0x00, 0x00, 0x01, 'a', 0x00, 0x00),
             CODE_1),
         "duplicate export name");
  /* "a\0b" and "a\0c" differ even though their C strings do not. */
  rt_module *m2 = accept(MOD(
      TYPE_VOID, FUNCS_1,
      SEC(7, 0x02, 0x03, 'a', 0x00, 'b', 0x00, 0x00, 0x03, 'a', 0x00, 'c',
          0x00, 0x00),
      CODE_1));
  rt_module_free(m2);
  reject(MOD(SEC(7, 0x01, 0x01, 'a', 0x00, 0x00)), "unknown function");
  reject(MOD(SEC(7, 0x01, 0x01, 'a', 0x01, 0x00)), "unknown table");
  reject(MOD(SEC(7, 0x01, 0x01, 'a', 0x02, 0x00)), "unknown memory");
  reject(MOD(SEC(7, 0x01, 0x01, 'a', 0x03, 0x00)), "unknown global");
  reject(MOD(SEC(7, 0x01, 0x01, 'a', 0x04, 0x00)), "unknown tag");
  reject(MOD(SEC(7, 0x01, 0x01, 'a', 0x05, 0x00)), "malformed export kind");
}

Test(reader, start) {
  rt_module *m = accept(MOD(TYPE_VOID, FUNCS_1, SEC(8, 0x00), CODE_1));
  cr_assert(m->has_start);
  cr_assert_eq(m->start, 0);
  rt_module_free(m);
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(8, 0x01), CODE_1), "unknown function");
  reject(MOD(SEC(1, 0x01, 0x60, 0x01, 0x7F, 0x00), FUNCS_1, SEC(8, 0x00),
             CODE_1),
         "start function");
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(8, 0x00), SEC(8, 0x00), CODE_1),
         "unexpected content after last section");
}

/* ---- element segments --------------------------------------------------- */

/* Type, three functions, a funcref table and an externref table. */
#define ELEM_PRELUDE                                                   \
  TYPE_VOID, SEC(3, 0x03, 0x00, 0x00, 0x00),                           \
      SEC(4, 0x02, 0x70, 0x00, 0x04, 0x6F, 0x00, 0x04)
#define ELEM_CODE \
  SEC(10, 0x03, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B)

Test(reader, element_encodings) {
  rt_module *m = accept(MOD(
      ELEM_PRELUDE,
      SEC(9, 0x08,
          /* 0: active table 0, offset, func indices */
          0x00, 0x41, 0x01, 0x0B, 0x01, 0x00,
          /* 1: passive, elemkind, func indices */
          0x01, 0x00, 0x01, 0x01,
          /* 2: active explicit table, offset, elemkind, func indices */
          0x02, 0x00, 0x41, 0x00, 0x0B, 0x00, 0x00,
          /* 3: declarative, elemkind, func indices */
          0x03, 0x00, 0x01, 0x02,
          /* 4: active table 0, offset, expressions */
          0x04, 0x41, 0x02, 0x0B, 0x02, 0xD2, 0x00, 0x0B, 0xD0, 0x70, 0x0B,
          /* 5: passive, reftype, expressions */
          0x05, 0x6F, 0x01, 0xD0, 0x6F, 0x0B,
          /* 6: active table 1, offset, reftype, expressions */
          0x06, 0x01, 0x41, 0x00, 0x0B, 0x6F, 0x01, 0xD0, 0x6F, 0x0B,
          /* 7: declarative, reftype, expressions */
          0x07, 0x70, 0x01, 0xD2, 0x01, 0x0B),
      ELEM_CODE));
  cr_assert_eq(m->nelems, 8);
  const rt_elem *e = m->elems;
  cr_assert_eq(e[0].mode, RT_SEG_ACTIVE);
  cr_assert_eq(e[0].table, 0);
  cr_assert_eq(e[0].offset.value[0], 1);
  cr_assert_eq(e[0].count, 1);
  cr_assert_eq(e[0].items[0].kind, RT_CONST_FUNC);
  cr_assert_eq(e[1].mode, RT_SEG_PASSIVE);
  cr_assert_eq(e[1].items[0].index, 1);
  cr_assert_eq(e[2].mode, RT_SEG_ACTIVE);
  cr_assert_eq(e[3].mode, RT_SEG_DECLARATIVE);
  cr_assert_eq(e[3].items[0].index, 2);
  cr_assert_eq(e[4].count, 2);
  cr_assert_eq(e[4].items[1].kind, RT_CONST_NULL);
  cr_assert_eq(e[5].mode, RT_SEG_PASSIVE);
  cr_assert_eq(e[5].elem_type, VT_EXTERNREF);
  cr_assert_eq(e[6].table, 1);
  cr_assert_eq(e[6].elem_type, VT_EXTERNREF);
  cr_assert_eq(e[7].mode, RT_SEG_DECLARATIVE);
  for (uint32_t f = 0; f < 3; f++)
    cr_assert(m->func_declared[f], "function %u not declared", f);
  rt_module_free(m);
}

Test(reader, element_errors) {
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x08, 0x00), ELEM_CODE),
         "malformed elements segment kind");
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x01, 0x01, 0x00), ELEM_CODE),
         "malformed element kind");
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x05, 0x7F, 0x00), ELEM_CODE),
         "malformed reference type");
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x02, 0x02, 0x41, 0x00, 0x0B, 0x00,
                               0x00),
             ELEM_CODE),
         "unknown table");
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(9, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x00),
             CODE_1),
         "unknown table");
  /* Function items into an externref table. */
  reject(MOD(ELEM_PRELUDE,
             SEC(9, 0x01, 0x02, 0x01, 0x41, 0x00, 0x0B, 0x00, 0x01, 0x00),
             ELEM_CODE),
         "type mismatch");
  /* An externref item in a funcref segment. */
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x05, 0x70, 0x01, 0xD0, 0x6F, 0x0B),
             ELEM_CODE),
         "type mismatch");
  /* Offset of the wrong type. */
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x00, 0x42, 0x00, 0x0B, 0x00),
             ELEM_CODE),
         "type mismatch");
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x01, 0x00, 0x01, 0x03), ELEM_CODE),
         "unknown function");
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x05, 0x70, 0x01, 0x41, 0x00, 0x0B),
             ELEM_CODE),
         "type mismatch");
  reject(MOD(ELEM_PRELUDE, SEC(9, 0x01, 0x05, 0x70, 0x01, 0x00, 0x0B),
             ELEM_CODE),
         "constant expression required");
}

/* ---- data --------------------------------------------------------------- */

Test(reader, data_segments) {
  rt_module *m = accept(MOD(
      MEMORY_1, SEC(12, 0x03),
      SEC(11, 0x03,
          /* active memory 0 at 16: "ab" */
          0x00, 0x41, 0x10, 0x0B, 0x02, 'a', 'b',
          /* passive: "c" */
          0x01, 0x01, 'c',
          /* active explicit memory 0: empty */
          0x02, 0x00, 0x41, 0x00, 0x0B, 0x00)));
  cr_assert(m->has_data_count);
  cr_assert_eq(m->ndatas, 3);
  cr_assert_eq(m->datas[0].mode, RT_SEG_ACTIVE);
  cr_assert_eq(m->datas[0].offset.value[0], 16);
  cr_assert_eq(m->datas[0].len, 2);
  cr_assert(memcmp(m->datas[0].bytes, "ab", 2) == 0);
  cr_assert(m->datas[0].bytes > m->bytes &&
            m->datas[0].bytes < m->bytes + m->len);
  cr_assert_eq(m->datas[1].mode, RT_SEG_PASSIVE);
  cr_assert_eq(m->datas[1].bytes[0], 'c');
  cr_assert_eq(m->datas[2].len, 0);
  rt_module_free(m);

  reject(MOD(MEMORY_1, SEC(12, 0x02), SEC(11, 0x01, 0x01, 0x00)),
         "data count and data section have inconsistent lengths");
  reject(MOD(MEMORY_1, SEC(12, 0x01)),
         "data count and data section have inconsistent lengths");
  reject(MOD(SEC(11, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x00)), "unknown memory");
  reject(MOD(MEMORY_1, SEC(11, 0x01, 0x02, 0x01, 0x41, 0x00, 0x0B, 0x00)),
         "unknown memory");
  reject(MOD(MEMORY_1, SEC(11, 0x01, 0x03, 0x00)),
         "malformed data segment kind");
  reject(MOD(MEMORY_1, SEC(11, 0x01, 0x01, 0x05, 'a')), "unexpected end");
  reject(MOD(MEMORY_1, SEC(11, 0x01, 0x00, 0x42, 0x00, 0x0B, 0x00)),
         "type mismatch");
  /* The data bytes must lie within the section. */
  reject(MOD(MEMORY_1, SEC(11, 0x01, 0x01, 0x02, 'a'), 0x00, 0x01, 0x00),
         "unexpected end");
}

/* ---- UTF-8, custom sections and names ----------------------------------- */

/* A custom section whose name is the given bytes. */
static void check_custom_name(const uint8_t *name, uint8_t len, bool valid) {
  uint8_t buf[64] = {HEADER, 0x00, (uint8_t)(len + 1), len};
  memcpy(buf + 11, name, len);
  size_t total = 11 + (size_t)len;
  if (valid) {
    rt_module_free(accept(buf, total));
  } else {
    reject(buf, total, "malformed UTF-8 encoding");
  }
}

Test(reader, utf8) {
  check_custom_name(BYTES('a', 'b', 'c'), 3, true);
  check_custom_name(BYTES(0xC2, 0x80), 2, true);             /* U+0080 */
  check_custom_name(BYTES(0xE2, 0x82, 0xAC), 3, true);       /* euro */
  check_custom_name(BYTES(0xF4, 0x8F, 0xBF, 0xBF), 4, true); /* U+10FFFF */
  check_custom_name(BYTES(0xEF, 0xBF, 0xBF), 3, true);       /* U+FFFF */
  check_custom_name(BYTES(0x00), 1, true);
  check_custom_name(BYTES(0xC0, 0x80), 2, false);       /* overlong NUL */
  check_custom_name(BYTES(0xC1, 0xBF), 2, false);       /* overlong */
  check_custom_name(BYTES(0xE0, 0x9F, 0xBF), 3, false); /* overlong */
  check_custom_name(BYTES(0xF0, 0x8F, 0xBF, 0xBF), 4, false); /* overlong */
  check_custom_name(BYTES(0xED, 0xA0, 0x80), 3, false); /* surrogate */
  check_custom_name(BYTES(0xED, 0xBF, 0xBF), 3, false); /* surrogate */
  check_custom_name(BYTES(0xF4, 0x90, 0x80, 0x80), 4, false); /* > 10FFFF */
  check_custom_name(BYTES(0xF8, 0x88, 0x80, 0x80, 0x80), 5, false);
  check_custom_name(BYTES(0xE2, 0x82), 2, false);       /* truncated */
  check_custom_name(BYTES(0x80), 1, false);             /* lone continuation */
  check_custom_name(BYTES(0xC2, 0x41), 2, false);       /* bad continuation */
  check_custom_name(BYTES(0xFF), 1, false);
  /* Import and export names are checked the same way. */
  reject(MOD(SEC(2, 0x01, 0x01, 0xFF, 0x00, 0x02, 0x00, 0x00)),
         "malformed UTF-8 encoding");
  reject(MOD(SEC(2, 0x01, 0x00, 0x01, 0xC0, 0x02, 0x00, 0x00)),
         "malformed UTF-8 encoding");
  reject(MOD(TYPE_VOID, FUNCS_1, SEC(7, 0x01, 0x01, 0xED, 0x00, 0x00),
             CODE_1),
         "malformed UTF-8 encoding");
}

Test(reader, custom_section_bounds) {
  /* Empty custom section: the name's length is missing. */
  reject(MOD(0x00, 0x00), "unexpected end");
  /* Name longer than the section. */
  reject(MOD(0x00, 0x02, 0x05, 'a'), "length out of bounds");
}

Test(reader, name_section) {
  rt_module *m = accept(MOD(
      TYPE_VOID, SEC(3, 0x03, 0x00, 0x00, 0x00),
      SEC(10, 0x03, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B),
      SEC(0, 0x04, 'n', 'a', 'm', 'e',
          /* module name "mod" */
          0x00, 0x04, 0x03, 'm', 'o', 'd',
          /* function names: 0 "zero", 2 "two", 9 (out of range) "x" */
          0x01, 0x0F, 0x03, 0x00, 0x04, 'z', 'e', 'r', 'o', 0x02, 0x03, 't',
          'w', 'o', 0x09, 0x01, 'x',
          /* local names: ignored */
          0x02, 0x01, 0x00)));
  cr_assert_str_eq(m->module_name, "mod");
  cr_assert_str_eq(m->func_names[0], "zero");
  cr_assert_null(m->func_names[1]);
  cr_assert_str_eq(m->func_names[2], "two");
  rt_module_free(m);

  /* A name section before the function section still names functions. */
  m = accept(MOD(TYPE_VOID,
                 SEC(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x00,
                     0x01, 'f'),
                 FUNCS_1, CODE_1));
  cr_assert_str_eq(m->func_names[0], "f");
  rt_module_free(m);

  /* Malformed contents are ignored, never an error. */
  m = accept(MOD(TYPE_VOID, FUNCS_1, CODE_1,
                 SEC(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x7F, 0x01, 0x00)));
  cr_assert_null(m->func_names[0]);
  rt_module_free(m);
  m = accept(MOD(TYPE_VOID, FUNCS_1, CODE_1,
                 SEC(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x00,
                     0x01, 0xFF)));
  cr_assert_null(m->func_names[0]);
  rt_module_free(m);
  m = accept(MOD(SEC(0, 0x04, 'n', 'a', 'm', 'e', 0x00, 0x05, 0x80, 0x80,
                     0x80, 0x80, 0x80)));
  cr_assert_null(m->module_name);
  rt_module_free(m);
}

/* ---- robustness --------------------------------------------------------- */

/* Every truncation of a module that uses every section must be rejected
 * without reading past the end (run under ASan to see the latter). */
Test(reader, every_truncation_rejected) {
  static const uint8_t full[] = {
      HEADER,
      TYPE_VOID,
      IMPORT_GLOBALS,
      FUNCS_1,
      TABLE_1,
      MEMORY_1,
      SEC(6, 0x01, 0x7F, 0x00, 0x23, 0x00, 0x0B),
      SEC(7, 0x01, 0x01, 'f', 0x00, 0x00),
      SEC(8, 0x00),
      SEC(9, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00),
      SEC(12, 0x01),
      CODE_1,
      SEC(11, 0x01, 0x01, 0x01, 'x'),
      SEC(0, 0x04, 'n', 'a', 'm', 'e', 0x00, 0x02, 0x01, 'm'),
  };
  rt_module *m = accept(full, sizeof full);
  cr_assert_str_eq(m->module_name, "m");
  rt_module_free(m);
  /* Cuts right after the header, the type, the import and the data section
   * leave complete modules; every other cut must fail (function without
   * code, data count without data, or a truncated section). */
  const size_t complete[] = {8, 8 + 6, 8 + 6 + 18, sizeof full - 11};
  for (size_t len = 0; len < sizeof full; len++) {
    bool is_complete = false;
    for (size_t i = 0; i < sizeof complete / sizeof complete[0]; i++)
      is_complete |= len == complete[i];
    if (is_complete) continue;
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, full, len);
    rt_module *out = NULL;
    wrun_error *e = rt_module_read(copy, len, &out);
    cr_assert_not_null(e, "truncation at %zu of %zu accepted", len,
                       sizeof full);
    cr_assert_null(out);
    wrun_error_delete(e);
    free(copy);
  }
}

Test(reader, input_is_copied) {
  uint8_t buf[] = {HEADER, TYPE_VOID, FUNCS_1, CODE_1};
  rt_module *m = accept(buf, sizeof buf);
  cr_assert_neq(m->bytes, buf);
  memset(buf, 0, sizeof buf);
  cr_assert_eq(m->bytes[0], 0x00);
  cr_assert_eq(m->bytes[1], 0x61);
  rt_module_free(m);
}
