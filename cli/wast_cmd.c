/* Command lists and their arena. See wast_cmd.h. */
#include "wast_cmd.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)

struct wast_arena_chunk {
  wast_arena_chunk *next;
  size_t used, size;
  alignas(max_align_t) unsigned char data[];
};

void *wast_cmds_alloc(wast_cmds *cmds, size_t size) {
  const size_t align = alignof(max_align_t);
  if (size > SIZE_MAX - align)
    return NULL;
  size = (size + align - 1) & ~(align - 1);
  wast_arena_chunk *c = cmds->chunks;
  if (!c || c->size - c->used < size) {
    /* Big pieces (a module's bytes) get a chunk of their own. */
    size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
    if (cap > SIZE_MAX - sizeof *c)
      return NULL;
    wast_arena_chunk *fresh = malloc(sizeof *fresh + cap);
    if (!fresh)
      return NULL;
    fresh->size = cap;
    fresh->used = 0;
    /* Keep the current chunk in front when it has more room left. */
    if (c && cap > CHUNK_SIZE) {
      fresh->next = c->next;
      c->next = fresh;
    } else {
      fresh->next = c;
      cmds->chunks = fresh;
    }
    c = fresh;
  }
  void *p = c->data + c->used;
  c->used += size;
  memset(p, 0, size);
  return p;
}

wast_text wast_cmds_text(wast_cmds *cmds, const void *bytes, size_t len) {
  wast_text t = {0};
  if (len == SIZE_MAX)
    return t;
  char *copy = wast_cmds_alloc(cmds, len + 1);
  if (!copy)
    return t;
  if (len)
    memcpy(copy, bytes, len);
  copy[len] = '\0';
  t.bytes = copy;
  t.len = len;
  return t;
}

wast_cmd *wast_cmds_push(wast_cmds *cmds) {
  if (cmds->count == cmds->capacity) {
    size_t cap = cmds->capacity ? cmds->capacity * 2 : 64;
    if (cap > SIZE_MAX / sizeof *cmds->items)
      return NULL;
    wast_cmd *grown = realloc(cmds->items, cap * sizeof *grown);
    if (!grown)
      return NULL;
    cmds->items = grown;
    cmds->capacity = cap;
  }
  wast_cmd *c = &cmds->items[cmds->count++];
  memset(c, 0, sizeof *c);
  return c;
}

void wast_cmds_free(wast_cmds *cmds) {
  wast_arena_chunk *c = cmds->chunks;
  while (c) {
    wast_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  free(cmds->items);
  *cmds = (wast_cmds){0};
}

const char *wast_cmd_kind_name(wast_cmd_kind kind) {
  switch (kind) {
  case WAST_CMD_MODULE: return "module";
  case WAST_CMD_REGISTER: return "register";
  case WAST_CMD_ACTION: return "action";
  case WAST_CMD_ASSERT_RETURN: return "assert_return";
  case WAST_CMD_ASSERT_TRAP: return "assert_trap";
  case WAST_CMD_ASSERT_EXHAUSTION: return "assert_exhaustion";
  case WAST_CMD_ASSERT_EXCEPTION: return "assert_exception";
  case WAST_CMD_ASSERT_INVALID: return "assert_invalid";
  case WAST_CMD_ASSERT_MALFORMED: return "assert_malformed";
  case WAST_CMD_ASSERT_UNLINKABLE: return "assert_unlinkable";
  case WAST_CMD_ASSERT_UNINSTANTIABLE: return "assert_uninstantiable";
  case WAST_CMD_BAD: return "command";
  }
  return "?";
}
