/* Building small wasm modules in a test, byte by byte, so that a test can
 * make the module it needs (10,000 tables, a table of any size) instead of
 * shipping it. Only what the tests use: a section is its id and body,
 * vectors and LEB128 numbers are written by the caller. */
#ifndef TEST_WASM_BUILD_H
#define TEST_WASM_BUILD_H

/* A failed allocation fails the test: criterion's assertion unless the
 * includer says how (a plain harness). */
#ifndef WB_CHECK
#include <criterion/criterion.h>
#define WB_CHECK(p) cr_assert_not_null(p)
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct wasm_buf {
  uint8_t *bytes;
  size_t len, cap;
} wasm_buf;

static inline void wb_bytes(wasm_buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->bytes = realloc(b->bytes, b->cap);
    WB_CHECK(b->bytes);
  }
  memcpy(b->bytes + b->len, p, n);
  b->len += n;
}

static inline void wb_byte(wasm_buf *b, uint8_t v) { wb_bytes(b, &v, 1); }

static inline void wb_u32(wasm_buf *b, uint64_t v) { /* unsigned LEB128 */
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    wb_byte(b, byte | (v ? 0x80 : 0));
  } while (v);
}

static inline void wb_name(wasm_buf *b, const char *name) {
  wb_u32(b, strlen(name));
  wb_bytes(b, name, strlen(name));
}

static inline void wb_header(wasm_buf *b) {
  wb_bytes(b, "\0asm\1\0\0\0", 8);
}

/* Appends section id with the body built so far in body (then freed). */
static inline void wb_section(wasm_buf *b, uint8_t id, wasm_buf *body) {
  wb_byte(b, id);
  wb_u32(b, body->len);
  wb_bytes(b, body->bytes, body->len);
  free(body->bytes);
  memset(body, 0, sizeof *body);
}

/* A table section of count funcref tables of min elements (no maximum). */
static inline void wb_table_section(wasm_buf *b, uint32_t count,
                                    uint32_t min) {
  wasm_buf s = {0};
  wb_u32(&s, count);
  for (uint32_t i = 0; i < count; i++) {
    wb_byte(&s, 0x70);
    wb_byte(&s, 0x00);
    wb_u32(&s, min);
  }
  wb_section(b, 4, &s);
}

/* A module of count tables of min elements each, and nothing else. */
static inline wasm_buf wb_tables_module(uint32_t count, uint32_t min) {
  wasm_buf b = {0};
  wb_header(&b);
  wb_table_section(&b, count, min);
  return b;
}

#endif
