/* Config, engine and store, and the store's references: its list of live
 * capi_refs (freed with it) and the map that gives each runtime object
 * one identity (capi.h). */
#include "capi.h"

#include <stdint.h>
#include <stdlib.h>

wasm_config_t *wasm_config_new(void) {
  wasm_config_t *c = malloc(sizeof *c);
  if (c && !(c->c = wrun_config_new())) {
    free(c);
    c = NULL;
  }
  return c;
}
void wasm_config_delete(wasm_config_t *c) {
  if (!c) return;
  wrun_config_delete(c->c);
  free(c);
}

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config) {
  wasm_engine_t *e = malloc(sizeof *e);
  if (e && !(e->e = wrun_engine_new_with_config(config ? config->c : NULL))) {
    free(e);
    e = NULL;
  }
  wasm_config_delete(config);
  return e;
}
wasm_engine_t *wasm_engine_new(void) { return wasm_engine_new_with_config(NULL); }
void wasm_engine_delete(wasm_engine_t *e) {
  if (!e) return;
  wrun_engine_delete(e->e);
  free(e);
}

wasm_store_t *wasm_store_new(wasm_engine_t *engine) {
  if (!engine) return NULL;
  wasm_store_t *st = calloc(1, sizeof *st);
  if (st && !(st->s = wrun_store_new(engine->e))) {
    free(st);
    st = NULL;
  }
  return st;
}

/* What a reference owns beyond itself. */
static void free_obj(capi_ref *r) {
  if (r->kind == CAPI_MODULE) wrun_module_delete(r->obj);
  if (r->kind == CAPI_TRAP && r->obj) wrun_trap_delete(r->obj);
}

static void run_finalizer(capi_ref *r) {
  void (*fin)(void *) = r->finalizer;
  r->finalizer = NULL;
  if (fin) fin(r->host_info);
}

void wasm_store_delete(wasm_store_t *st) {
  if (!st) return;
  /* Host-info finalizers before the runtime objects go, so that they may
   * still look at them; then the runtime store, which runs the env
   * finalizers of its host functions. */
  for (capi_ref *r = st->refs; r; r = r->next) run_finalizer(r);
  capi_ref *r = st->refs;
  while (r) {
    capi_ref *next = r->next;
    free_obj(r);
    free(r);
    r = next;
  }
  free(st->slots);
  wrun_store_delete(st->s);
  free(st);
}

/* ---- the identity map: open addressing, linear probing ---- */

/* Only references with a runtime object shared by several routes are
 * mapped; a trap, module or foreign is new at each creation. */
static bool mapped(capi_kind k) { return k <= CAPI_INSTANCE; }

static size_t hash_ptr(const void *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 17) & (cap - 1);
}

static capi_ref *map_find(const wasm_store_t *st, const void *obj) {
  if (!st->cap) return NULL;
  for (size_t i = hash_ptr(obj, st->cap);; i = (i + 1) & (st->cap - 1)) {
    capi_ref *r = st->slots[i];
    if (!r) return NULL;
    if (r->obj == obj) return r;
  }
}

static void map_put(wasm_store_t *st, capi_ref *r) {
  size_t i = hash_ptr(r->obj, st->cap);
  while (st->slots[i]) i = (i + 1) & (st->cap - 1);
  st->slots[i] = r;
  st->count++;
}

static bool map_insert(wasm_store_t *st, capi_ref *r) {
  if ((st->count + 1) * 2 > st->cap) {
    size_t cap = st->cap ? st->cap * 2 : 64;
    capi_ref **old = st->slots;
    size_t old_cap = st->cap;
    st->slots = calloc(cap, sizeof *st->slots);
    if (!st->slots) {
      st->slots = old;
      return false;
    }
    st->cap = cap;
    st->count = 0;
    for (size_t i = 0; i < old_cap; i++)
      if (old[i]) map_put(st, old[i]);
    free(old);
  }
  map_put(st, r);
  return true;
}

/* Removal shifts the entries after the hole back where a probe from their
 * home slot would still find them (no tombstones). */
static void map_remove(wasm_store_t *st, const capi_ref *r) {
  size_t mask = st->cap - 1, i = hash_ptr(r->obj, st->cap);
  while (st->slots[i] != r) i = (i + 1) & mask;
  st->slots[i] = NULL;
  st->count--;
  for (size_t j = (i + 1) & mask; st->slots[j]; j = (j + 1) & mask) {
    capi_ref *e = st->slots[j];
    size_t home = hash_ptr(e->obj, st->cap);
    /* e may move to the hole i if i lies cyclically in [home, j). */
    bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      st->slots[i] = e;
      st->slots[j] = NULL;
      i = j;
    }
  }
}

/* ---- references ---- */

capi_ref *capi_ref_new(wasm_store_t *st, capi_kind kind, void *obj) {
  capi_ref *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->kind = kind;
  r->refs = 1;
  r->store = st;
  r->obj = obj;
  if (mapped(kind) && !map_insert(st, r)) {
    free(r);
    return NULL;
  }
  r->next = st->refs;
  if (st->refs) st->refs->prev = r;
  st->refs = r;
  return r;
}

capi_ref *capi_ref_for(wasm_store_t *st, capi_kind kind, void *obj) {
  capi_ref *r = mapped(kind) ? map_find(st, obj) : NULL;
  if (r) {
    r->refs++;
    return r;
  }
  return capi_ref_new(st, kind, obj);
}

void capi_ref_retain(capi_ref *r) { r->refs++; }

void capi_ref_release(capi_ref *r) {
  if (!r || --r->refs > 0) return;
  run_finalizer(r);
  wasm_store_t *st = r->store;
  if (mapped(r->kind)) map_remove(st, r);
  if (r->prev) r->prev->next = r->next;
  else st->refs = r->next;
  if (r->next) r->next->prev = r->prev;
  free_obj(r);
  free(r);
}

void capi_ref_pin(capi_ref *r) {
  if (r->pinned) return;
  r->pinned = true;
  r->refs++;
}
