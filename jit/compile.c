/* The module compile driver (jit/jit.h): validates and compiles every
 * function body in one pass per body, lays out the trampolines and
 * functions in one buffer, patches direct calls and maps the result
 * read+execute. Also host-function trampolines and pc lookups. */
#include "jit.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "codegen.h"
#include "compile_internal.h"
#include "decode.h"
#include "error.h"
#include "libcalls.h"
#include "validate.h"

/* "function N: <message>", keeping the original offset. */
static wrun_error *name_function(uint32_t func_index, wrun_error *e) {
  wrun_error *named = rt_error_new(e->offset, "function %u: %s", func_index,
                                   wrun_error_message(e));
  wrun_error_delete(e);
  return named;
}

/* The first body from f on that the spec's decoder rejects, named. Once
 * the single pass has failed on body f, for whatever reason, the bodies
 * from there on are decoded again the spec's way (jit_decode_body_as_spec):
 * the spec decodes all of them before it validates any, so the first
 * malformed one is what the module is rejected for. Only on the error
 * path. */
static wrun_error *spec_malformed(const rt_module *mod, uint32_t f) {
  for (; f < mod->nfuncs; f++) {
    wrun_error *e = jit_decode_body_as_spec(mod, f);
    if (e) return name_function(f, e);
  }
  return NULL;
}

/* Validates function f (a defined one) and, when g is given, compiles it
 * into m. Returns the validation (or decoding) error; code generation
 * problems go to *outcome so that validation errors of later bodies win. */
static wrun_error *compile_body(const rt_module *mod, uint32_t f,
                                jit_validator *v, jit_codegen *g,
                                jit_masm *m, body_outcome *outcome) {
  const rt_func *fn = &mod->funcs[f];
  jit_reader r;
  jit_reader_init(&r, mod->bytes, fn->body_offset,
                  (size_t)fn->body_offset + fn->body_len);
  r.limit = mod->bytes + mod->len;
  uint32_t nlocals = 0;
  rt_valtype *local_types = NULL;
  wrun_error *err = jit_decode_locals(&r, &nlocals, &local_types);
  if (!err) err = jit_validator_begin(v, mod, f, nlocals, local_types);
  bool generating = g != NULL && !err;
  if (g) jit_codegen_set_validator(g, v);
  if (generating) {
    wrun_error *e = jit_codegen_begin(g, m, mod, f, nlocals, local_types);
    if (e) {
      if (!outcome->gen_error) outcome->gen_error = name_function(f, e);
      else wrun_error_delete(e);
      generating = false;
    }
  }
  jit_instr in;
  /* Only the body's last `end` finishes it (the validator's step_end):
   * the loop asks after an `end`, not after every instruction. */
  bool done = err || jit_validator_done(v);
  while (!done) {
    if (r.pos >= r.end) {
      err = rt_error_new(jit_reader_offset(&r), "END opcode expected");
      break;
    }
    err = jit_decode_instr(&r, &in);
    if (!err) err = jit_validator_step(v, &in);
    if (err) break;
    if (generating) {
      wrun_error *e = jit_codegen_step(g, &in);
      if (e) {
        if (!outcome->gen_error) outcome->gen_error = name_function(f, e);
        else wrun_error_delete(e);
        generating = false;
      }
    }
    done = in.op == OP_END && jit_validator_done(v);
  }
  if (!err && r.pos != r.end)
    err = rt_error_new(jit_reader_offset(&r), "section size mismatch");
  if (!err && generating) {
    if (jit_codegen_refused_simd(g))
      outcome->simd = true;
    else if (!jit_codegen_done(g) && !outcome->gen_error)
      outcome->gen_error = rt_error_new(fn->body_offset,
                                        "function %u: code generation did "
                                        "not reach the end", f);
  }
  free(local_types);
  jit_reader_free(&r);
  if (!err) return NULL;
  wrun_error *malformed = spec_malformed(mod, f);
  if (malformed) {
    wrun_error_delete(err);
    return malformed;
  }
  return name_function(f, err);
}

wrun_error *jit_validate_module(const rt_module *mod) {
  jit_validator *v = jit_validator_new();
  if (!v) return rt_error_new(RT_NO_OFFSET, "out of memory");
  body_outcome outcome = {NULL, false};
  wrun_error *err = NULL;
  for (uint32_t f = mod->nimported_funcs; f < mod->nfuncs && !err; f++)
    err = compile_body(mod, f, v, NULL, NULL, &outcome);
  jit_validator_free(v);
  return err;
}

static int trap_order(const void *a, const void *b) {
  const jit_trapsite *x = a, *y = b;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static bool traps_sorted(const jit_trapsite *t, uint32_t n) {
  for (uint32_t i = 1; i < n; i++)
    if (t[i - 1].offset > t[i].offset) return false;
  return true;
}

size_t jit_page_size(void) {
  long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? (size_t)page : 4096;
}

/* Makes mem (mapped bytes, read+write, holding size bytes of code)
 * executable and out's code; unmaps it on failure. */
static wrun_error *make_executable(uint8_t *mem, size_t size, size_t mapped,
                                   jit_code *out) {
  /* AArch64 instruction fetch does not see data writes until the caches
   * are synchronised; a no-op on x86-64. */
  __builtin___clear_cache((char *)mem, (char *)mem + size);
  if (mprotect(mem, mapped, PROT_READ | PROT_EXEC) != 0) {
    munmap(mem, mapped);
    return rt_error_new(RT_NO_OFFSET, "cannot make code executable");
  }
  out->mem = mem;
  out->size = size;
  out->mapped = mapped;
  return NULL;
}

wrun_error *jit_map_code(const uint8_t *bytes, size_t size,
                         void (*patch)(uint8_t *mem, void *arg), void *arg,
                         jit_code *out) {
  size_t page = jit_page_size();
  size_t mapped = (size + page - 1) / page * page;
  if (mapped == 0) mapped = page;
  /* every page is written: populating them in the mmap saves a fault
   * each */
  void *mem = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (mem == MAP_FAILED)
    return rt_error_new(RT_NO_OFFSET, "cannot map code memory");
  if (size) memcpy(mem, bytes, size);
  if (patch) patch(mem, arg);
  return make_executable(mem, size, mapped, out);
}

/* Moves the masm's code and trap sites to out, the code mapped
 * read+execute: a large buffer is already a mapping of its own and is
 * used in place, a small one is copied into a new one. */
static wrun_error *publish(jit_masm *m, jit_code *out) {
  if (jit_masm_failed(m))
    return rt_error_new(RT_NO_OFFSET, "%s", jit_masm_failure(m));
  size_t size = m->buf.size;
  if (m->nsyms) {
    out->syms = malloc(m->nsyms * sizeof *out->syms);
    if (!out->syms) return rt_error_new(RT_NO_OFFSET, "out of memory");
    memcpy(out->syms, m->syms, m->nsyms * sizeof *m->syms);
    out->nsyms = m->nsyms;
  }
  out->relocatable = m->relocatable;
  size_t mapped;
  uint8_t *mem = jit_buf_take_mapping(&m->buf, jit_page_size(), &mapped);
  wrun_error *err =
      mem ? make_executable(mem, size, mapped, out)
          : jit_map_code(m->buf.data, size, NULL, NULL, out);
  if (err) return err;
  /* the masm's array moves to out (a copy was 400 KB of fresh pages for
   * a large module) */
  if (m->traps) {
    out->traps = m->traps;
    m->traps = NULL;
    m->cap_traps = 0;
  } else if (!(out->traps = malloc(sizeof *out->traps))) {
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  out->ntraps = m->ntraps;
  m->ntraps = 0;
  /* Sites are recorded in emission order, which is already sorted except
   * where a backend patches out of order; sort only then. */
  if (!traps_sorted(out->traps, out->ntraps))
    qsort(out->traps, out->ntraps, sizeof *out->traps, trap_order);
  return NULL;
}

/* call_entries: where each defined function takes direct calls. */
static wrun_error *patch_calls(const rt_module *mod, jit_masm *m,
                               const jit_code *out,
                               const uint32_t *call_entries) {
  for (uint32_t i = 0; i < m->nrelocs; i++) {
    const jit_reloc *rel = &m->relocs[i];
    if (rel->func_index < mod->nimported_funcs ||
        rel->func_index - mod->nimported_funcs >= out->nfuncs)
      return rt_error_new(RT_NO_OFFSET, "direct call to function %u has no "
                          "code", rel->func_index);
    uint32_t target = call_entries[rel->func_index - mod->nimported_funcs];
    if (!m->buf.oom) masm_patch_call(m->buf.data, rel->at, target);
  }
  return NULL;
}

/* Debugging aid: with WRUN_DUMP_CODE=DIR set, each compiled module's code
 * region goes to DIR/wrun-PID-SEQ.bin and a map of where each function and
 * entry trampoline starts to DIR/wrun-PID-SEQ.txt. Disassemble with
 *   objdump -D -b binary -mi386:x86-64 --adjust-vma=0 FILE.bin
 * Failures to write are ignored: a dump must never change the outcome. */
static void write_code_map(FILE *f, const rt_module *mod, const jit_code *c) {
  fprintf(f, "# code mapped at %p (for profiles); offsets into the .bin "
          "file (hex):\n", (void *)c->mem);
  for (uint32_t t = 0; t < c->ntypes; t++)
    fprintf(f, "%08x entry trampoline type %u\n", c->entry_offsets[t], t);
  for (uint32_t i = 0; i < c->nfuncs; i++) {
    uint32_t index = mod->nimported_funcs + i;
    const char *name = mod->func_names ? mod->func_names[index] : NULL;
    fprintf(f, "%08x func %u%s%s\n", c->func_offsets[i], index,
            name ? " " : "", name ? name : "");
  }
  fprintf(f, "%08zx end\n", c->size);
}

static void dump_code_if_asked(const rt_module *mod, const jit_code *c) {
  const char *dir = getenv("WRUN_DUMP_CODE");
  if (!dir || !*dir) return;
  static unsigned sequence; /* per process; a debug aid, not thread-safe */
  unsigned seq = sequence++;
  char path[4096];
  snprintf(path, sizeof path, "%s/wrun-%ld-%u.bin", dir, (long)getpid(), seq);
  FILE *f = fopen(path, "wb");
  if (f) {
    if (c->size) fwrite(c->mem, 1, c->size, f);
    fclose(f);
  }
  snprintf(path, sizeof path, "%s/wrun-%ld-%u.txt", dir, (long)getpid(), seq);
  f = fopen(path, "w");
  if (f) {
    write_code_map(f, mod, c);
    fclose(f);
  }
}

/* How compile_once compiles (what the passes below learn and retry). */
typedef struct compile_mode {
  uint8_t *tail_flags;
  bool tail_known, reload_direct;
  bool no_residents;
  bool gen_failed; /* out: a code generation error, not validation's */
} compile_mode;

static wrun_error *compile_once(const rt_module *mod, const jit_options *opts,
                                jit_code *out, bool *simd_refused,
                                compile_mode *mode);

/* Compiles once; when a body turns out to have tail calls, compiles the
 * module again knowing which: those functions keep their incoming area's
 * capacity from their prologue on, and if a tail call may leave the
 * instance, direct calls reload the pinned registers (docs/design-notes.md,
 * "Tail calls"). A single pass cannot know either before it emits the
 * prologues and calls concerned; modules without tail calls compile once,
 * unchanged. */
static wrun_error *compile_passes(const rt_module *mod,
                                  const jit_options *opts, jit_code *out,
                                  bool *simd_refused, bool no_residents,
                                  bool *gen_failed) {
  uint32_t ndefined = mod->nfuncs - mod->nimported_funcs;
  uint8_t *flags = calloc(ndefined ? ndefined : 1, 1);
  if (!flags) {
    memset(out, 0, sizeof *out);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  compile_mode mode = {flags, false, false, no_residents, false};
  wrun_error *err = compile_once(mod, opts, out, simd_refused, &mode);
  unsigned any = 0;
  for (uint32_t i = 0; i < ndefined; i++) any |= flags[i];
  if (!err && any) {
    jit_code_free(out);
    mode.tail_known = true;
    mode.reload_direct = (any & JIT_TAIL_LEAVES) != 0;
    err = compile_once(mod, opts, out, simd_refused, &mode);
  }
  free(flags);
  *gen_failed = mode.gen_failed;
  return err;
}

/* A code generation error is retried without loop-resident locals: they
 * take registers for a loop's life, and an instruction that needs more
 * than the loop left it would otherwise make a valid module fail to
 * compile (none is known; jit/codegen_resident.c keeps enough, and frees
 * read-only residents on demand). WRUN_STRICT_CODEGEN in the environment
 * turns the retry off, so that the tests see such an error. */
wrun_error *jit_compile_module(const rt_module *mod, const jit_options *opts,
                               jit_code *out, bool *simd_refused) {
  bool gen_failed = false;
  wrun_error *err =
      compile_passes(mod, opts, out, simd_refused, false, &gen_failed);
  if (err && gen_failed && !getenv("WRUN_STRICT_CODEGEN")) {
    wrun_error_delete(err);
    err = compile_passes(mod, opts, out, simd_refused, true, &gen_failed);
  }
  if (!err) dump_code_if_asked(mod, out); /* the code that runs */
  return err;
}

bool jit_compiler_init(jit_compiler *c, const jit_compile_plan *p) {
  const jit_options *opts = p->opts;
  c->v = jit_validator_new();
  c->g = jit_codegen_new();
  if (!c->v || !c->g) {
    jit_compiler_fini(c);
    return false;
  }
  jit_codegen_set_deterministic(c->g, opts && opts->deterministic);
  jit_codegen_set_fuel(c->g, opts && opts->fuel);
  jit_codegen_set_bounds_checks(c->g, opts && opts->bounds_checks,
                                opts ? opts->memory_guard : 0,
                                opts && opts->no_signals);
  jit_codegen_set_trap_calls(c->g, opts && opts->no_signals);
  jit_codegen_set_map_every_instruction(c->g,
                                        opts && opts->map_every_instruction);
  jit_codegen_set_tail_info(c->g, p->tail_known ? p->tail_flags : NULL,
                            p->reload_direct);
  jit_codegen_set_residents(c->g, !p->no_residents);
  return true;
}

void jit_compiler_fini(jit_compiler *c) {
  if (c->g) jit_codegen_free(c->g);
  if (c->v) jit_validator_free(c->v);
  c->v = NULL;
  c->g = NULL;
}

/* Lowers *stop_at to f (runs race to report their failures). */
static void lower_stop(_Atomic uint32_t *stop_at, uint32_t f) {
  uint32_t seen = atomic_load_explicit(stop_at, memory_order_relaxed);
  while (f < seen &&
         !atomic_compare_exchange_weak_explicit(stop_at, &seen, f,
                                                memory_order_relaxed,
                                                memory_order_relaxed)) {
  }
}

wrun_error *jit_compile_run(const jit_compile_plan *p, jit_compiler *c,
                            jit_masm *m, uint32_t first, uint32_t end,
                            body_outcome *outcome, _Atomic uint32_t *stop_at) {
  const rt_module *mod = p->mod;
  wrun_error *err = NULL;
  for (uint32_t i = first; i < end && !err; i++) {
    if (stop_at && i > atomic_load_explicit(stop_at, memory_order_relaxed))
      break;
    masm_align(m, 16);
    p->func_offsets[i] = jit_buf_pos(&m->buf);
    p->pcmap_starts[i] = jit_pcmap_begin_function(
        &m->pcmap, p->func_offsets[i],
        mod->funcs[mod->nimported_funcs + i].body_offset);
    err = compile_body(mod, mod->nimported_funcs + i, c->v, c->g, m, outcome);
    m->wasm_offset = NULL; /* g's offset: no longer this body's */
    p->call_entries[i] = jit_codegen_call_entry(c->g);
    if (!p->tail_known) p->tail_flags[i] = (uint8_t)jit_codegen_tail_use(c->g);
    if (err && stop_at) lower_stop(stop_at, i);
  }
  return err;
}

static wrun_error *compile_once(const rt_module *mod, const jit_options *opts,
                                jit_code *out, bool *simd_refused,
                                compile_mode *mode) {
  memset(out, 0, sizeof *out);
  if (simd_refused) *simd_refused = false;
  uint32_t ndefined = mod->nfuncs - mod->nimported_funcs;
  out->nfuncs = ndefined;
  out->ntypes = mod->ntypes;
  out->func_offsets = calloc(ndefined ? ndefined : 1, sizeof(uint32_t));
  uint32_t *call_entries = out->call_offsets =
      calloc(ndefined ? ndefined : 1, sizeof(uint32_t));
  out->entry_offsets = calloc(mod->ntypes ? mod->ntypes : 1, sizeof(uint32_t));
  out->pcmap_starts = calloc(ndefined ? ndefined : 1, sizeof(uint32_t));
  jit_compile_plan plan = {mod,
                           opts,
                           mode->tail_flags,
                           mode->tail_known,
                           mode->reload_direct,
                           out->func_offsets,
                           out->pcmap_starts,
                           call_entries,
                           mode->no_residents};
  jit_compiler c = {NULL, NULL};
  jit_masm m;
  jit_masm_init(&m);
  m.relocatable = opts && opts->relocatable;
  wrun_error *err = NULL;
  body_outcome outcome = {NULL, false};
  jit_exn_table exn = {0};
  jit_stack_maps maps = {0};
  if (!out->func_offsets || !out->entry_offsets || !out->pcmap_starts ||
      !call_entries) {
    err = rt_error_new(RT_NO_OFFSET, "out of memory");
    goto done;
  }
  for (uint32_t t = 0; t < mod->ntypes; t++) {
    const rt_functype *ft = &mod->types[t];
    out->entry_offsets[t] = jit_buf_pos(&m.buf);
    masm_entry_trampoline(&m, ft->types, ft->nparams, ft->types + ft->nparams,
                          ft->nresults);
  }
  unsigned threads = jit_compile_threads(&plan);
  if (threads > 1) {
    err = jit_compile_parallel(&plan, threads, &m, &outcome, &exn, &maps);
  } else if (!jit_compiler_init(&c, &plan)) {
    err = rt_error_new(RT_NO_OFFSET, "out of memory");
  } else {
    err = jit_compile_splits(&plan)
              ? jit_compile_in_runs(&plan, &c, &m, &outcome)
              : jit_compile_run(&plan, &c, &m, 0, ndefined, &outcome, NULL);
    jit_codegen_take_exn_table(c.g, &exn);
    jit_codegen_take_stack_maps(c.g, &maps);
  }
  if (err) goto done;
  if (outcome.gen_error) {
    err = outcome.gen_error;
    outcome.gen_error = NULL;
    mode->gen_failed = true;
    goto done;
  }
  if (outcome.simd) {
    if (simd_refused) *simd_refused = true;
    err = rt_error_new(RT_NO_OFFSET, "SIMD code generation not supported yet");
    goto done;
  }
  err = patch_calls(mod, &m, out, call_entries);
  if (!err) err = publish(&m, out);
  if (!err) {
    out->exn = exn;
    out->maps = maps;
    exn = (jit_exn_table){0};
    maps = (jit_stack_maps){0};
    out->fuel = opts && opts->fuel;
  }
  if (!err && !m.pcmap.failed) {
    /* The writer's buffer, handed over: trimming it would copy it. */
    out->pcmap = m.pcmap.data;
    out->pcmap_size = m.pcmap.size;
    m.pcmap = (jit_pcmap_writer){0};
  }
done:
  if (outcome.gen_error) wrun_error_delete(outcome.gen_error);
  jit_exn_table_free(&exn);
  jit_stack_maps_free(&maps);
  jit_compiler_fini(&c);
  jit_masm_free(&m);
  if (err) jit_code_free(out);
  return err;
}

void jit_code_free(jit_code *c) {
  if (!c) return;
  if (c->mem) munmap(c->mem, c->mapped);
  free(c->func_offsets);
  free(c->call_offsets);
  free(c->entry_offsets);
  free(c->traps);
  free(c->syms);
  free(c->pcmap);
  free(c->pcmap_starts);
  jit_exn_table_free(&c->exn);
  jit_stack_maps_free(&c->maps);
  memset(c, 0, sizeof *c);
}

void jit_exn_table_free(jit_exn_table *t) {
  free(t->sites);
  free(t->scopes);
  free(t->clauses);
  memset(t, 0, sizeof *t);
}

_Static_assert(offsetof(jit_exn_site, ret) == 0 &&
                   offsetof(jit_stack_map, ret) == 0,
               "site_at reads ret at the start of an entry");

/* The index of the entry whose `ret` (a u32 at the start of each entry
 * of `size` bytes, sorted) is pc's offset in c, or n when none is. */
static uint32_t site_at(const jit_code *c, uintptr_t pc, const void *sites,
                        uint32_t n, size_t size) {
  uintptr_t start = (uintptr_t)c->mem;
  if (!c->mem || pc < start || pc >= start + c->size) return n;
  uint32_t off = (uint32_t)(pc - start), lo = 0, hi = n;
  const uint8_t *base = sites;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t ret;
    memcpy(&ret, base + (size_t)mid * size, sizeof ret);
    if (ret < off)
      lo = mid + 1;
    else
      hi = mid;
  }
  uint32_t ret = 0;
  if (lo < n) memcpy(&ret, base + (size_t)lo * size, sizeof ret);
  return lo < n && ret == off ? lo : n;
}

uint32_t jit_code_exn_scope_at(const jit_code *c, uintptr_t pc) {
  const jit_exn_table *t = &c->exn;
  uint32_t i = site_at(c, pc, t->sites, t->nsites, sizeof *t->sites);
  return i < t->nsites ? t->sites[i].scope : JIT_NO_SCOPE;
}

void jit_stack_maps_free(jit_stack_maps *t) {
  free(t->sites);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

const int32_t *jit_code_stack_map_at(const jit_code *c, uintptr_t pc,
                                     uint32_t *count) {
  const jit_stack_maps *t = &c->maps;
  uint32_t i = site_at(c, pc, t->sites, t->nsites, sizeof *t->sites);
  *count = i < t->nsites ? t->sites[i].count : 0;
  return i < t->nsites ? t->slots + t->sites[i].first : NULL;
}

wrun_error *jit_make_trampolines(const rt_functype *t, jit_trampolines *out) {
  memset(out, 0, sizeof *out);
  jit_masm m;
  jit_masm_init(&m);
  masm_entry_trampoline(&m, t->types, t->nparams, t->types + t->nparams,
                        t->nresults);
  uint32_t exit_at = jit_buf_pos(&m.buf);
  masm_exit_trampoline(&m, t->types, t->nparams, t->types + t->nparams,
                       t->nresults, (const void *)rt_host_call);
  wrun_error *err = publish(&m, &out->code);
  jit_masm_free(&m);
  if (err) {
    jit_code_free(&out->code);
    return err;
  }
  out->entry = out->code.mem;
  out->exit = out->code.mem + exit_at;
  return NULL;
}

int32_t jit_code_func_at(const jit_code *c, uintptr_t pc) {
  uintptr_t start = (uintptr_t)c->mem;
  if (!c->mem || pc < start || pc >= start + c->size || c->nfuncs == 0)
    return -1;
  uint32_t off = (uint32_t)(pc - start);
  if (off < c->func_offsets[0]) return -1;
  /* The last function whose start is <= off. */
  uint32_t lo = 0, hi = c->nfuncs;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->func_offsets[mid] <= off)
      lo = mid;
    else
      hi = mid;
  }
  return (int32_t)lo;
}

uint32_t jit_code_wasm_offset_at(const jit_code *c, const rt_module *m,
                                 uintptr_t pc, bool return_address) {
  if (!c->pcmap) return JIT_NO_WASM_OFFSET;
  uintptr_t key = return_address ? pc - 1 : pc; /* inside the call */
  int32_t f = jit_code_func_at(c, key);
  if (f < 0) return JIT_NO_WASM_OFFSET;
  uint32_t from = c->pcmap_starts[f];
  uint32_t to = (uint32_t)f + 1 < c->nfuncs ? c->pcmap_starts[f + 1]
                                            : c->pcmap_size;
  /* the code offset where the function's stream counts from, and the
   * body offset its wasm deltas count from (jit_pcmap_begin_function) */
  return jit_pcmap_lookup(c->pcmap + from, c->pcmap + to,
                          c->func_offsets[f],
                          m->funcs[m->nimported_funcs + (uint32_t)f].body_offset,
                          (uint32_t)(key - (uintptr_t)c->mem));
}

uint8_t jit_code_trap_at(const jit_code *c, uintptr_t pc) {
  uintptr_t start = (uintptr_t)c->mem;
  if (!c->mem || pc < start || pc >= start + c->size) return 0;
  uint32_t off = (uint32_t)(pc - start);
  uint32_t lo = 0, hi = c->ntraps;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->traps[mid].offset < off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < c->ntraps && c->traps[lo].offset == off ? c->traps[lo].code : 0;
}
