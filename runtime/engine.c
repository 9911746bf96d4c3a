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

#include "gc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* One interned type. */
typedef struct rt_interned {
  rt_functype type; /* owned copy in module-independent form; type.id */
  const void *entry, *exit; /* host trampolines, made on first use */
  rt_gc_rtt *rtt;           /* struct and array types: their objects' */
  jit_trampolines tramps;
} rt_interned;

/* One interned recursion group: its types have ids first .. first+n-1. */
typedef struct rt_group {
  UT_hash_handle hh;
  uint32_t first, n;
  size_t keylen;
  uint8_t key[];
} rt_group;

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static rt_group *group_table;      /* uthash head, keyed by encoding */
static rt_interned **intern_by_id; /* index id - 1 */
static uint32_t intern_count, intern_cap;

wrun_engine *wrun_engine_new(void) { return wrun_engine_new_with_config(NULL); }

void wrun_engine_delete(wrun_engine *engine) { free(engine); }

bool wrun_engine_deterministic(const wrun_engine *engine) {
  return engine->config.deterministic;
}

/* ---- the intern table ------------------------------------------------------ */

/* The key of a group: per type its kind and finality, supertype, counts,
 * types and field mutabilities, all as u32 words. */
static size_t type_words(const rt_functype *t) {
  return 5 + (size_t)t->nparams + t->nresults + 2 * (size_t)t->nfields;
}

static void encode_type(const rt_functype *t, uint32_t *w) {
  *w++ = t->kind | (uint32_t)t->final << 8;
  *w++ = t->super;
  *w++ = t->nparams;
  *w++ = t->nresults;
  *w++ = t->nfields;
  size_t n = (size_t)t->nparams + t->nresults + t->nfields;
  if (n) memcpy(w, t->types, n * sizeof *w);
  for (uint32_t k = 0; k < t->nfields; k++) w[n + k] = t->mut[k];
}

/* An in-key reference to the group's own type k, or an interned one. */
static uint32_t resolve_heap(uint32_t heap, uint32_t first) {
  if (rt_vt_heap_code(heap) != HT_REC) return heap;
  return rt_heap_of_index(HT_CANON, first + rt_vt_index(heap));
}

static void free_type(rt_functype *t) {
  free(t->types);
  free(t->mut);
  free(t->display);
}

/* The stored copy of key type t, its id `id` (first: the group's first),
 * in-group references resolved; its supertype chain from the table. */
static rt_interned *make_interned(const rt_functype *t, uint32_t id,
                                  uint32_t first) {
  rt_interned *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  rt_functype *c = &e->type;
  *c = *t;
  c->id = id;
  size_t n = (size_t)t->nparams + t->nresults + t->nfields;
  c->types = malloc((n ? n : 1) * sizeof *c->types);
  c->mut = t->nfields ? malloc(t->nfields * sizeof *c->mut) : NULL;
  c->display = NULL;
  if (!c->types || (t->nfields && !c->mut)) goto fail;
  for (size_t k = 0; k < n; k++) {
    rt_valtype v = t->types[k];
    c->types[k] = rt_is_reftype(v)
                      ? (v & VT_NONNULL) | resolve_heap(rt_vt_heap(v), first)
                      : v;
  }
  if (t->nfields) memcpy(c->mut, t->mut, t->nfields * sizeof *c->mut);
  const rt_functype *super = NULL;
  if (t->super != RT_NO_SUPER) {
    uint32_t sid = rt_vt_index(resolve_heap(t->super, first));
    super = sid >= 1 && sid <= intern_count ? &intern_by_id[sid - 1]->type
                                            : NULL;
    if (!super) goto fail;
    c->super = sid;
  }
  c->depth = super ? super->depth + 1 : 0;
  c->display = malloc((c->depth + 1) * sizeof *c->display);
  if (!c->display) goto fail;
  if (super) memcpy(c->display, super->display, c->depth * sizeof *c->display);
  c->display[c->depth] = id;
  c->rec_start = first;
  return e;
fail:
  free_type(c);
  free(e);
  return NULL;
}

/* Does a field of interned type t hold a GC reference (the lock held)? */
static bool traced(rt_valtype t) {
  if (!rt_is_reftype(t)) return false;
  uint32_t heap = rt_vt_heap(t);
  if (rt_vt_heap_code(heap) == HT_CANON) {
    uint32_t id = rt_vt_index(heap);
    return id >= 1 && id <= intern_count &&
           intern_by_id[id - 1]->type.kind != RT_FUNC_TYPE;
  }
  switch (rt_vt_heap_code(heap)) {
  case HT_ANY: case HT_EQ: case HT_I31: case HT_STRUCT: case HT_ARRAY:
  case HT_NONE: case HT_EXTERN: case HT_NOEXTERN:
    return true;
  default:
    return false;
  }
}

/* The rtt of a struct or array type, once its group's ids exist (the lock
 * held; a supertype precedes its subtypes, so its rtt exists). */
static bool make_rtt(rt_interned *e) {
  const rt_functype *t = &e->type;
  if (t->kind == RT_FUNC_TYPE) return true;
  bool small[16];
  bool *tr = t->nfields <= 16 ? small : malloc(t->nfields * sizeof *tr);
  if (!tr) return false;
  for (uint32_t k = 0; k < t->nfields; k++) tr[k] = traced(t->types[k]);
  const rt_gc_rtt *super =
      t->super != RT_NO_SUPER ? intern_by_id[t->super - 1]->rtt : NULL;
  e->rtt = rt_gc_rtt_make(t, tr, super);
  if (tr != small) free(tr);
  return e->rtt != NULL;
}

const rt_gc_rtt *rt_gc_rtt_of(uint32_t id) {
  pthread_mutex_lock(&intern_lock);
  const rt_gc_rtt *r =
      id >= 1 && id <= intern_count ? intern_by_id[id - 1]->rtt : NULL;
  pthread_mutex_unlock(&intern_lock);
  return r;
}

static bool reserve_ids(uint32_t n) {
  if (intern_count + n <= intern_cap) return true;
  uint32_t cap = intern_cap ? intern_cap : 64;
  while (cap < intern_count + n) cap *= 2;
  rt_interned **a = realloc(intern_by_id, cap * sizeof *a);
  if (!a) return false;
  intern_by_id = a;
  intern_cap = cap;
  return true;
}

/* A new group of n key types: ids intern_count + 1 .. (the lock held). */
static rt_group *add_group(const rt_functype *types, uint32_t n,
                           const uint8_t *key, size_t keylen) {
  rt_group *grp = calloc(1, sizeof *grp + keylen);
  if (!grp || !reserve_ids(n)) {
    free(grp);
    return NULL;
  }
  grp->first = intern_count + 1; /* ids start at 1: 0 never matches */
  grp->n = n;
  grp->keylen = keylen;
  memcpy(grp->key, key, keylen);
  for (uint32_t k = 0; k < n; k++) {
    rt_interned *e = make_interned(&types[k], grp->first + k, grp->first);
    if (!e) { /* the ids made so far stay, unreachable from any key */
      free(grp);
      return NULL;
    }
    intern_by_id[intern_count++] = e;
  }
  for (uint32_t k = 0; k < n; k++)
    if (!make_rtt(intern_by_id[grp->first + k - 1])) {
      free(grp);
      return NULL;
    }
  HASH_ADD_KEYPTR(hh, group_table, grp->key, grp->keylen, grp);
  return grp;
}

uint32_t rt_engine_intern_group(const rt_functype *types, uint32_t n) {
  size_t words = 1;
  for (uint32_t k = 0; k < n; k++) words += type_words(&types[k]);
  size_t keylen = words * sizeof(uint32_t);
  uint32_t small[64];
  uint32_t *key = keylen <= sizeof small ? small : malloc(keylen);
  if (!key) return 0;
  key[0] = n;
  size_t at = 1;
  for (uint32_t k = 0; k < n; k++) {
    encode_type(&types[k], key + at);
    at += type_words(&types[k]);
  }
  pthread_mutex_lock(&intern_lock);
  rt_group *grp = NULL;
  HASH_FIND(hh, group_table, key, keylen, grp);
  if (!grp) grp = add_group(types, n, (const uint8_t *)key, keylen);
  uint32_t first = grp ? grp->first : 0;
  pthread_mutex_unlock(&intern_lock);
  if (key != small) free(key);
  return first;
}

/* A function type made by the host: final, no supertype, its own group. */
uint32_t rt_engine_intern_type(const rt_functype *t) {
  rt_functype key = *t;
  key.kind = RT_FUNC_TYPE;
  key.final = true;
  key.super = RT_NO_SUPER;
  key.nfields = 0;
  key.mut = NULL;
  return rt_engine_intern_group(&key, 1);
}

bool rt_type_id_subtype(uint32_t a, uint32_t b) {
  if (a == b) return true;
  const rt_functype *ta = rt_type_by_id(a), *tb = rt_type_by_id(b);
  return ta && tb && tb->depth <= ta->depth && ta->display[tb->depth] == b;
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
