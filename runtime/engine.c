/* The engine and function type interning.
 *
 * Function types are interned in ONE process-wide table (static, guarded by
 * a mutex) rather than one per engine: ids then agree across engines, a
 * funcref's type can be found from its type_id alone (the wrun_func_* queries
 * take no engine), and call_indirect compares one integer. The table only
 * grows; the types in it live as long as the process. Host-function
 * trampolines are immutable per type, so they are cached here too.
 */
#include "runtime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

typedef struct rt_interned {
  UT_hash_handle hh;
  rt_functype type; /* owned copy; type.id is the id */
  const void *entry, *exit; /* host trampolines, made on first use */
  jit_trampolines tramps;
  size_t keylen;
  uint8_t key[]; /* nparams, nresults (u32 each), then the types (u32) */
} rt_interned;

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static rt_interned *intern_table;  /* uthash head, keyed by encoding */
static rt_interned **intern_by_id; /* index id - 1 */
static uint32_t intern_count, intern_cap;

wrun_engine *wrun_engine_new(void) { return wrun_engine_new_with_config(NULL); }

void wrun_engine_delete(wrun_engine *engine) { free(engine); }

bool wrun_engine_deterministic(const wrun_engine *engine) {
  return engine->config.deterministic;
}

static size_t encoding_size(const rt_functype *t) {
  return 8 + ((size_t)t->nparams + t->nresults) * sizeof(rt_valtype);
}

static void encode_type(const rt_functype *t, uint8_t *key) {
  memcpy(key, &t->nparams, 4);
  memcpy(key + 4, &t->nresults, 4);
  if (t->nparams + t->nresults)
    memcpy(key + 8, t->types,
           ((size_t)t->nparams + t->nresults) * sizeof(rt_valtype));
}

static rt_interned *make_interned(const rt_functype *t, size_t keylen) {
  rt_interned *e = calloc(1, sizeof *e + keylen);
  if (!e) return NULL;
  size_t n = (size_t)t->nparams + t->nresults;
  e->type.types = malloc((n ? n : 1) * sizeof(rt_valtype));
  if (!e->type.types) {
    free(e);
    return NULL;
  }
  if (n) memcpy(e->type.types, t->types, n * sizeof(rt_valtype));
  e->type.nparams = t->nparams;
  e->type.nresults = t->nresults;
  e->keylen = keylen;
  encode_type(t, e->key);
  return e;
}

static bool append_by_id(rt_interned *e) {
  if (intern_count == intern_cap) {
    uint32_t cap = intern_cap ? intern_cap * 2 : 64;
    rt_interned **a = realloc(intern_by_id, cap * sizeof *a);
    if (!a) return false;
    intern_by_id = a;
    intern_cap = cap;
  }
  intern_by_id[intern_count++] = e;
  e->type.id = intern_count; /* ids start at 1: a zeroed record never matches */
  /* The key names a reference to the type itself id 0 (its id was not
   * known); the stored type names it by its id. */
  uint32_t n = e->type.nparams + e->type.nresults;
  for (uint32_t k = 0; k < n; k++) {
    rt_valtype v = e->type.types[k];
    if (rt_is_reftype(v) && rt_vt_heap_code(v) == HT_CANON &&
        rt_vt_index(v) == 0)
      e->type.types[k] = v | e->type.id << RT_VT_INDEX_SHIFT;
  }
  return true;
}

uint32_t rt_engine_intern_type(const rt_functype *t) {
  size_t keylen = encoding_size(t);
  uint8_t small[64];
  uint8_t *key = keylen <= sizeof small ? small : malloc(keylen);
  if (!key) return 0;
  encode_type(t, key);

  pthread_mutex_lock(&intern_lock);
  rt_interned *e = NULL;
  HASH_FIND(hh, intern_table, key, keylen, e);
  if (!e) {
    e = make_interned(t, keylen);
    if (e && append_by_id(e)) {
      HASH_ADD_KEYPTR(hh, intern_table, e->key, e->keylen, e);
    } else if (e) {
      free(e->type.types);
      free(e);
      e = NULL;
    }
  }
  uint32_t id = e ? e->type.id : 0;
  pthread_mutex_unlock(&intern_lock);

  if (key != small) free(key);
  return id;
}

static rt_interned *interned_by_id(uint32_t id) {
  pthread_mutex_lock(&intern_lock);
  rt_interned *e = id >= 1 && id <= intern_count ? intern_by_id[id - 1] : NULL;
  pthread_mutex_unlock(&intern_lock);
  return e;
}

const rt_functype *rt_type_by_id(uint32_t id) {
  rt_interned *e = interned_by_id(id);
  return e ? &e->type : NULL;
}

wrun_error *rt_trampolines_for(uint32_t type_id, const void **entry,
                               const void **exit) {
  rt_interned *e = interned_by_id(type_id);
  if (!e) return rt_error_new(RT_NO_OFFSET, "unknown function type id %u",
                              (unsigned)type_id);
  wrun_error *err = NULL;
  pthread_mutex_lock(&intern_lock);
  if (!e->entry) {
    err = jit_make_trampolines(&e->type, &e->tramps);
    if (!err) {
      rt_code_register(&e->tramps.code, NULL);
      e->entry = e->tramps.entry;
      e->exit = e->tramps.exit;
    }
  }
  *entry = e->entry;
  *exit = e->exit;
  pthread_mutex_unlock(&intern_lock);
  return err;
}
