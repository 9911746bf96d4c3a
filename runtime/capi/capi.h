/* Internals of the wasm.h layer (capi/): how its handles stand over the
 * runtime objects of wrun.h.
 *
 * Every reference kind of wasm.h (func, global, table, memory, extern,
 * instance, module, trap, foreign, ref) is one capi_ref: the handle types
 * are all this struct under different names, so the as_ref / as_extern
 * views are casts. A capi_ref is the identity of one runtime object in one
 * store: the store maps each runtime object to at most one capi_ref, so
 * the same function reached twice (two export lists, a table) is the same
 * pointer, with the same host info. wasm_X_copy counts a reference more on
 * the same pointer; the last wasm_X_delete runs the host-info finalizer
 * and frees the capi_ref (never the runtime object: the wrun store owns
 * those until it is deleted).
 *
 * A reference that enters wasm as an externref (WASM_ANYREF) is the
 * capi_ref pointer itself; wasm may keep it anywhere, so it is pinned: the
 * store holds one reference more until it is deleted.
 */
#ifndef CAPI_H
#define CAPI_H

#include "wasm.h"
#include "wrun.h"

#include <stdbool.h>
#include <stddef.h>

/* The first four are wasm_externkind_t's values. */
typedef enum capi_kind {
  CAPI_FUNC = WASM_EXTERN_FUNC,
  CAPI_GLOBAL = WASM_EXTERN_GLOBAL,
  CAPI_TABLE = WASM_EXTERN_TABLE,
  CAPI_MEMORY = WASM_EXTERN_MEMORY,
  CAPI_INSTANCE,
  CAPI_MODULE,
  CAPI_TRAP,
  CAPI_FOREIGN,
} capi_kind;

typedef struct capi_ref {
  capi_kind kind;
  size_t refs; /* handles, plus one while pinned */
  bool pinned;
  wasm_store_t *store;
  void *host_info;
  void (*finalizer)(void *);
  /* wrun_func, wrun_global, wrun_table, wrun_memory, wrun_instance,
   * wrun_module (owned), wrun_trap (owned); NULL for a foreign. */
  void *obj;
  struct capi_ref *prev, *next; /* the store's list */
} capi_ref;

struct wasm_store_t {
  wrun_store *s;
  capi_ref *refs; /* every live capi_ref of the store */
  /* runtime object -> capi_ref, open addressing (store.c) */
  capi_ref **slots;
  size_t cap, count;
};

struct wasm_config_t { wrun_config *c; };
struct wasm_engine_t { wrun_engine *e; };

/* A new capi_ref of one reference (mapped for the kinds that have a
 * runtime identity); NULL when out of memory. */
capi_ref *capi_ref_new(wasm_store_t *st, capi_kind kind, void *obj);
/* The capi_ref of obj with one reference more (made if none). */
capi_ref *capi_ref_for(wasm_store_t *st, capi_kind kind, void *obj);
void capi_ref_retain(capi_ref *r);
void capi_ref_release(capi_ref *r);
/* Pins r for the store's lifetime (see above). */
void capi_ref_pin(capi_ref *r);

/* ---- values (val.c) ---- */
/* wasm.h value of a runtime one (reference results owned); false for a
 * type wasm.h cannot express (v128, exnref, GC anyref). */
bool capi_val_from_wrun(wasm_store_t *st, const wrun_val *in, wasm_val_t *out);
/* Runtime value of a wasm.h one (borrowed); false when its kind is not
 * a wasm.h kind or a FUNCREF holds no function. Externrefs get pinned. */
bool capi_val_to_wrun(const wasm_val_t *in, wrun_val *out);
/* wasm.h kind of a runtime type: the enum's values, other types their
 * wrun encoding (never equal to one of the enum). */
wasm_valkind_t capi_kind_of(wrun_valtype t);
bool capi_wrun_type(wasm_valkind_t k, wrun_valtype *out);

/* ---- types (types.c) ---- */
struct wasm_externtype_t {
  wasm_externkind_t kind;
  wasm_valtype_vec_t params, results; /* func */
  wasm_valtype_t *content;            /* global content, table element */
  wasm_mutability_t mutability;       /* global */
  wasm_limits_t limits;               /* table, memory */
};
struct wasm_valtype_t { wasm_valkind_t kind; };

wasm_functype_t *capi_functype_of(size_t np, const wrun_valtype *p, size_t nr,
                                  const wrun_valtype *r);
wasm_globaltype_t *capi_globaltype_of(wrun_valtype t, bool mut);
wasm_tabletype_t *capi_tabletype_of(wrun_valtype elem, uint64_t min,
                                    uint64_t max, bool has_max);
wasm_memorytype_t *capi_memorytype_of(uint64_t min, uint64_t max, bool has_max);
/* The functype of a runtime function. */
wasm_functype_t *capi_functype_of_func(const wrun_func *f);

/* ---- traps (trap.c) ---- */
/* A trap reference owning t (deleted if no reference can be made, and
 * then NULL). */
wasm_trap_t *capi_trap_wrap(wasm_store_t *st, wrun_trap *t);
/* The runtime trap a host callback's own trap stands for; the reference
 * is consumed. */
wrun_trap *capi_trap_take(wasm_trap_t *trap);

static inline capi_ref *capi_of(const void *handle) {
  return (capi_ref *)handle;
}

#endif
