/* Exception handling at run time: tags, exception objects, the public
 * API of both, and the unwinder that takes a thrown exception to its
 * landing pad.
 *
 * The unwinder walks the frame-pointer chain like a backtrace ([fp] the
 * caller's fp, [fp + 8] the return address, on both ISAs). Each wasm
 * frame's return address is looked up in its module's unwind table
 * (jit_exn_table): only calls inside a try have an entry. The scopes of
 * the entry are tried innermost first; the first matching clause wins, and
 * the frame resumes at its landing pad with sp = fp - frame size (frames
 * are fixed), fp restored and the exception in the first return register.
 * The pad reloads the pinned registers and the fuel register itself. The
 * walk never crosses an entry trampoline: an exception not caught by the
 * wasm frames of the innermost entry unwinds to that entry as a trap of
 * code WRUN_TRAP_EXCEPTION, and whoever called it (the host, or
 * rt_host_call for a host function called from wasm) takes it from there.
 */
#include "runtime.h"

#include "gc.h"

#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "libcalls.h"

/* AddressSanitizer poisons the redzones of stack frames and unpoisons them
 * when the frames return; the resume below abandons frames without
 * returning, as longjmp does (which ASan intercepts), so it says so first
 * or later code on the same stack would see stale poison. */
#if defined(__SANITIZE_ADDRESS__)
#define WRUN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WRUN_ASAN 1
#endif
#endif
#ifdef WRUN_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* ---- tags ---------------------------------------------------------------- */

struct wrun_tag *rt_tag_new(wrun_store *s, uint32_t type_id) {
  struct wrun_tag *tag = calloc(1, sizeof *tag);
  if (!tag) return NULL;
  tag->type_id = type_id;
  tag->type = rt_type_by_id(type_id);
  tag->store = s;
  if (!tag->type || !rt_store_own(s, tag, free)) return NULL;
  return tag;
}

wrun_tag *wrun_tag_new(wrun_store *store, const wrun_valtype *params,
                       size_t nparams) {
  if (!store) return rt_fail("tag: no store");
  if (nparams > UINT32_MAX / 2 || (nparams && !params))
    return rt_fail("tag: bad parameter list");
  rt_valtype *types = malloc((nparams + 1) * sizeof *types);
  if (!types) return rt_fail("out of memory");
  for (size_t i = 0; i < nparams; i++) types[i] = (rt_valtype)params[i];
  rt_functype t = {.nparams = (uint32_t)nparams, .types = types};
  uint32_t id = rt_engine_intern_type(&t);
  free(types);
  if (!id) return rt_fail("tag: invalid or too many function types");
  wrun_tag *tag = rt_tag_new(store, id);
  return tag ? tag : rt_fail("out of memory");
}

size_t wrun_tag_param_count(const wrun_tag *tag) {
  return tag ? tag->type->nparams : 0;
}

wrun_valtype wrun_tag_param_type(const wrun_tag *tag, size_t i) {
  return tag && i < tag->type->nparams ? rt_vt_api(tag->type->types[i])
                                       : WRUN_I32;
}

/* ---- exception objects ---------------------------------------------------- */

static size_t exn_size(const struct wrun_tag *tag) {
  uint32_t bytes = rt_array_size(tag->type->types, tag->type->nparams);
  return (sizeof(struct wrun_exn) + bytes + 15u) & ~(size_t)15;
}

/* Exceptions are never freed before their store (no collector yet): this
 * limit is what keeps a throwing loop from eating the host's memory. */
static bool over_limit(const wrun_store *s, size_t size) {
  return s->exception_bytes > s->limits.exception_bytes ||
         size > s->limits.exception_bytes - s->exception_bytes;
}

struct wrun_exn *rt_exn_new(wrun_store *s, const struct wrun_tag *tag,
                            const void *payload) {
  uint32_t bytes = rt_array_size(tag->type->types, tag->type->nparams);
  size_t size = exn_size(tag);
  if (over_limit(s, size)) return NULL;
  struct wrun_exn *exn = aligned_alloc(16, size);
  if (!exn) return NULL;
  s->exception_bytes += size;
  exn->tag = tag;
  exn->store = s;
  exn->payload_bytes = bytes;
  if (bytes) memcpy(exn->payload, payload, bytes);
  if (!rt_store_own(s, exn, free)) return NULL;
  /* Its payload's GC references are roots as long as it lives. */
  if (!rt_gc_track_exn(s, exn)) return NULL;
  return exn;
}

wrun_exn *wrun_exn_new(wrun_store *store, const wrun_tag *tag,
                       const wrun_val *payload, size_t n) {
  if (!store || !tag) return rt_fail("exception: no store or tag");
  if (tag->store != store)
    return rt_fail("exception: the tag belongs to another store");
  if (n != tag->type->nparams || (n && !payload))
    return rt_fail("exception: %zu payload values for a tag of %u", n,
                   tag->type->nparams);
  uint32_t bytes = rt_array_size(tag->type->types, tag->type->nparams);
  _Alignas(16) uint8_t small[256];
  uint8_t *buf = bytes <= sizeof small ? small : aligned_alloc(16, bytes);
  if (!buf) return rt_fail("out of memory");
  uint8_t *p = buf;
  wrun_exn *exn = NULL;
  rt_gc_inhibit(store, true); /* the boxes made are only in buf */
  for (size_t i = 0; i < n; i++) {
    if (!rt_val_fits(&payload[i], tag->type->types[i]) ||
        !rt_val_in_store(&payload[i], store) ||
        !rt_val_to_slot(store, &payload[i], p)) {
      rt_fail("exception: payload value %zu does not fit the tag", i);
      goto out;
    }
    p += rt_array_slot_size(tag->type->types[i]);
  }
  exn = rt_exn_new(store, tag, buf);
  if (!exn) rt_fail("exception: exception limit exceeded, or out of memory");
out:
  rt_gc_inhibit(store, false);
  if (buf != small) free(buf);
  return exn;
}

const wrun_tag *wrun_exn_tag(const wrun_exn *exn) {
  return exn ? exn->tag : NULL;
}

size_t wrun_exn_payload_count(const wrun_exn *exn) {
  return exn ? exn->tag->type->nparams : 0;
}

bool wrun_exn_payload(const wrun_exn *exn, size_t i, wrun_val *out) {
  if (!exn || i >= exn->tag->type->nparams) return false;
  const rt_valtype *types = exn->tag->type->types;
  rt_slot_to_val(types[i], exn->payload + rt_array_size(types, (uint32_t)i),
                 out);
  return true;
}

/* ---- the unwinder ------------------------------------------------------------ */

/* Continues at pc with the stack and frame pointers of the catching frame
 * and the exception in the first return register (what landing pads
 * expect: jit/codegen_exn.c). The C frames above are abandoned: they are
 * the throwing libcall's or rt_host_call's and hold nothing to release. */
__attribute__((noreturn)) static void resume(uintptr_t pc, uintptr_t sp,
                                             uintptr_t fp, void *exn) {
#ifdef WRUN_ASAN
  __asan_handle_no_return();
#endif
#if defined(__x86_64__)
  __asm__ volatile("mov %0, %%rsp\n\t"
                   "mov %1, %%rbp\n\t"
                   "jmp *%2"
                   :
                   : "D"(sp), "S"(fp), "d"(pc), "a"(exn)
                   : "memory");
#elif defined(__aarch64__)
  register uintptr_t x0 __asm__("x0") = (uintptr_t)exn;
  register uintptr_t x1 __asm__("x1") = sp;
  register uintptr_t x2 __asm__("x2") = fp;
  register uintptr_t x3 __asm__("x3") = pc;
  __asm__ volatile("mov sp, x1\n\t"
                   "mov x29, x2\n\t"
                   "br x3"
                   :
                   : "r"(x0), "r"(x1), "r"(x2), "r"(x3)
                   : "memory");
#else
#error "wrun supports x86-64 and AArch64 hosts"
#endif
  __builtin_unreachable();
}

/* Does clause c of a frame of instance inst catch exn? Tags are compared
 * by identity: the instance's tag object for the clause's index. */
static bool clause_catches(const jit_exn_clause *c, const rt_instance *inst,
                           const struct wrun_exn *exn) {
  if (c->kind == JIT_CATCH_ALL || c->kind == JIT_CATCH_ALL_REF) return true;
  return c->tag < inst->m->ntags && inst->tags[c->tag] == exn->tag;
}

/* The landing pad of the frame (code, return address pc, frame pointer
 * fp) that catches exn, or 0; *frame_size receives its frame's size. */
static uintptr_t find_pad(const jit_code *code, uintptr_t pc, uintptr_t fp,
                          const struct wrun_exn *exn, uint32_t *frame_size) {
  uint32_t s = jit_code_exn_scope_at(code, pc);
  if (s == JIT_NO_SCOPE) return 0;
  void *vmctx = *(void **)(fp + JIT_FRAME_VMCTX_OFFSET);
  const rt_instance *inst = rt_instance_of_vmctx(vmctx);
  const jit_exn_table *t = &code->exn;
  /* Scopes form a tree inside the function: parents come first, so the
   * chain is finite; the bound also guards a corrupt table. */
  for (uint32_t steps = 0; s != JIT_NO_SCOPE && steps <= t->nscopes;
       steps++) {
    const jit_exn_scope *sc = &t->scopes[s];
    for (uint32_t c = sc->first; c != JIT_NO_SCOPE; c = t->clauses[c].next) {
      if (clause_catches(&t->clauses[c], inst, exn)) {
        *frame_size = sc->frame_size;
        return (uintptr_t)code->mem + t->clauses[c].pad;
      }
    }
    s = sc->parent;
  }
  return 0;
}

void rt_exn_throw(struct wrun_exn *exn) {
  uintptr_t low, high;
  rt_thread_stack_bounds(&low, &high);
  uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
  bool in_wasm = false;
  /* C frames first (this function, the libcall or rt_host_call, an exit
   * trampoline), then the wasm frames, then the entry: stop there. */
  while (fp >= low && fp + 16 <= high && !(fp & 7)) {
    uintptr_t caller_fp = ((const uintptr_t *)fp)[0];
    uintptr_t ret = ((const uintptr_t *)fp)[1];
    const rt_module *m = NULL;
    const jit_code *code = ret ? rt_code_at(ret - 1, &m) : NULL;
    bool wasm = code && m && jit_code_func_at(code, ret - 1) >= 0;
    if (!wasm && in_wasm) break;
    if (wasm) {
      in_wasm = true;
      uint32_t frame_size = 0;
      uintptr_t pad = find_pad(code, ret, caller_fp, exn, &frame_size);
      if (pad) resume(pad, caller_fp - frame_size, caller_fp, exn);
    }
    if (caller_fp <= fp) break;
    fp = caller_fp;
  }
  rt_trap_raise_object(wrun_trap_new_exception(exn));
}

/* ---- libcalls ------------------------------------------------------------------ */

void rt_lib_throw(void *vmctx, uint32_t tag, const void *args) {
  rt_instance *inst = rt_instance_of_vmctx(vmctx);
  wrun_store *s = inst->store;
  const struct wrun_tag *t = inst->tags[tag];
  struct wrun_exn *exn = rt_exn_new(s, t, args);
  if (!exn)
    rt_trap_raise_object(wrun_trap_new(over_limit(s, exn_size(t))
                                           ? "exception limit exceeded"
                                           : "out of memory"));
  rt_exn_throw(exn);
}

void rt_lib_throw_ref(void *vmctx, void *exn) {
  (void)vmctx;
  if (!exn) rt_trap_raise(WRUN_TRAP_NULL_EXNREF);
  rt_exn_throw(exn);
}
