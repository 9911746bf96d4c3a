/* Serialized modules (.cwasm; wrun.h "compiled modules"). The format is
 * docs/design-notes.md "Serialized modules": little-endian, in order
 *
 *   magic "WRUNCWSM", u32 format version, u64 checksum (FNV-1a of every
 *   byte after it), the compatibility header (ISA, wrun version, build
 *   id, CPU features, code-changing configuration and the memory guard
 *   the code relies on), the original wasm,
 *   the machine code, then the tables of jit_code.
 *
 * The header is checked before the checksum, so that a blob of another
 * build or machine is refused naming the difference, not as damaged.
 * Every count is checked against the bytes left before anything is
 * allocated, and every offset and index against what it points into:
 * garbled bytes get an error, never a read out of bounds. The machine
 * code itself is trusted (wrun.h): nothing checks what it does. */
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_id.h"
#include "serial_io.h"

static const uint8_t magic[8] = {'W', 'R', 'U', 'N', 'C', 'W', 'S', 'M'};
/* Bump on any change of the layout below or of jit/symbols.c's list. */
/* 2: call_offsets after func_offsets; table.get/set/size libcalls gone */
#define RT_SERIAL_FORMAT 2u

/* The configuration that changes generated code, as bits. */
enum {
  CFG_FUEL = 1u << 0,
  CFG_DETERMINISTIC = 1u << 1,
  CFG_SP_CHECK = 1u << 2, /* the build's -Dsp_check (AArch64 SP audit) */
  CFG_BOUNDS_CHECKS = 1u << 3, /* explicit bounds checks (the strategy) */
  CFG_NO_SIGNALS = 1u << 4,    /* traps by calls, exact bounds checks */
};
#define CFG_KNOWN                                                  \
  (CFG_FUEL | CFG_DETERMINISTIC | CFG_SP_CHECK | CFG_BOUNDS_CHECKS | \
   CFG_NO_SIGNALS)

#ifdef WRUN_SP_CHECK
#define BUILD_FLAGS CFG_SP_CHECK
#else
#define BUILD_FLAGS 0u
#endif

static uint32_t module_config(const wrun_module *mod) {
  return (mod->fuel ? CFG_FUEL : 0) |
         (mod->deterministic ? CFG_DETERMINISTIC : 0) |
         (mod->bounds_checks ? CFG_BOUNDS_CHECKS : 0) |
         (mod->no_signals ? CFG_NO_SIGNALS : 0) | BUILD_FLAGS;
}

bool wrun_module_is_serialized(const uint8_t *bytes, size_t len) {
  return bytes && len >= sizeof magic && memcmp(bytes, magic, sizeof magic) == 0;
}

void wrun_bytes_free(uint8_t *bytes) { free(bytes); }

/* ---- writing ----------------------------------------------------------- */

static void put_code(rt_writer *w, const jit_code *c) {
  rt_put_u64(w, c->size);
  rt_put_bytes(w, c->mem, c->size);
  rt_put_u32(w, c->nfuncs);
  for (uint32_t i = 0; i < c->nfuncs; i++) rt_put_u32(w, c->func_offsets[i]);
  for (uint32_t i = 0; i < c->nfuncs; i++) rt_put_u32(w, c->call_offsets[i]);
  rt_put_u32(w, c->ntypes);
  for (uint32_t i = 0; i < c->ntypes; i++) rt_put_u32(w, c->entry_offsets[i]);
  rt_put_u32(w, c->ntraps);
  for (uint32_t i = 0; i < c->ntraps; i++) {
    rt_put_u32(w, c->traps[i].offset);
    rt_put_u8(w, c->traps[i].code);
  }
  rt_put_u32(w, c->nsyms);
  for (uint32_t i = 0; i < c->nsyms; i++) {
    rt_put_u32(w, c->syms[i].at);
    rt_put_u32(w, c->syms[i].index);
    rt_put_u8(w, c->syms[i].kind);
  }
  const jit_exn_table *x = &c->exn;
  rt_put_u32(w, x->nsites);
  for (uint32_t i = 0; i < x->nsites; i++) {
    rt_put_u32(w, x->sites[i].ret);
    rt_put_u32(w, x->sites[i].scope);
  }
  rt_put_u32(w, x->nscopes);
  for (uint32_t i = 0; i < x->nscopes; i++) {
    rt_put_u32(w, x->scopes[i].parent);
    rt_put_u32(w, x->scopes[i].first);
    rt_put_u32(w, x->scopes[i].last);
    rt_put_u32(w, x->scopes[i].frame_size);
  }
  rt_put_u32(w, x->nclauses);
  for (uint32_t i = 0; i < x->nclauses; i++) {
    rt_put_u8(w, x->clauses[i].kind);
    rt_put_u32(w, x->clauses[i].tag);
    rt_put_u32(w, x->clauses[i].pad);
    rt_put_u32(w, x->clauses[i].next);
  }
  const jit_stack_maps *s = &c->maps;
  rt_put_u32(w, s->nsites);
  for (uint32_t i = 0; i < s->nsites; i++) {
    rt_put_u32(w, s->sites[i].ret);
    rt_put_u32(w, s->sites[i].first);
    rt_put_u32(w, s->sites[i].count);
  }
  rt_put_u32(w, s->nslots);
  for (uint32_t i = 0; i < s->nslots; i++) rt_put_u32(w, (uint32_t)s->slots[i]);
  /* the pc -> wasm offset map, absent when it could not be made */
  rt_put_u8(w, c->pcmap != NULL);
  if (!c->pcmap) return;
  rt_put_u32(w, c->pcmap_size);
  rt_put_bytes(w, c->pcmap, c->pcmap_size);
  for (uint32_t i = 0; i < c->nfuncs; i++) rt_put_u32(w, c->pcmap_starts[i]);
}

wrun_error *wrun_module_serialize(const wrun_module *mod, uint8_t **bytes,
                                  size_t *len) {
  *bytes = NULL;
  *len = 0;
  const jit_code *c = &mod->code;
  jit_code fresh;
  memset(&fresh, 0, sizeof fresh);
  if (!c->relocatable) {
    /* Its code holds this process's addresses and ids as immediates of
     * any size: compile the relocatable form to save. */
    jit_options opts = {.deterministic = mod->deterministic,
                        .fuel = mod->fuel, .relocatable = true,
                        .bounds_checks = mod->bounds_checks,
                        .memory_guard = mod->memory_guard,
                        .no_signals = mod->no_signals,
                        .jobs = mod->engine ? mod->engine->config.jobs : 0};
    wrun_error *err = jit_compile_module(mod->m, &opts, &fresh, NULL);
    if (err) return err;
    c = &fresh;
  }
  rt_writer w = {0};
  rt_put_bytes(&w, magic, sizeof magic);
  rt_put_u32(&w, RT_SERIAL_FORMAT);
  rt_put_u64(&w, 0); /* checksum, filled in below */
  rt_put_str(&w, jit_isa_name());
  rt_put_str(&w, WRUN_VERSION);
  rt_put_str(&w, RT_BUILD_ID);
  rt_put_u32(&w, jit_cpu_features());
  rt_put_u32(&w, module_config(mod));
  rt_put_u64(&w, mod->memory_guard);
  rt_put_u64(&w, mod->m->len);
  rt_put_bytes(&w, mod->m->bytes, mod->m->len);
  put_code(&w, c);
  jit_code_free(&fresh);
  if (w.oom) {
    free(w.data);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  rt_writer at = {w.data, 12, w.cap, false}; /* the checksum field */
  rt_put_u64(&at, rt_fnv1a64(w.data + 20, w.len - 20));
  *bytes = w.data;
  *len = w.len;
  return NULL;
}

/* ---- reading ----------------------------------------------------------- */

#define BAD(...) rt_error_new(RT_NO_OFFSET, "compiled module: " __VA_ARGS__)

/* The names of the feature bits in `bits`, comma-separated, into buf. */
static const char *feature_names(uint32_t bits, char *buf, size_t size) {
  buf[0] = 0;
  size_t used = 0;
  for (uint32_t b = 1; b; b <<= 1) {
    if (!(bits & b)) continue;
    const char *name = jit_cpu_feature_name(b);
    char unknown[32];
    if (!name) {
      snprintf(unknown, sizeof unknown, "unknown feature bit %u",
               (unsigned)__builtin_ctz(b));
      name = unknown;
    }
    int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
    if (n < 0 || (size_t)n >= size - used) break;
    used += (size_t)n;
  }
  return buf;
}

static const char *onoff(bool on) { return on ? "on" : "off"; }

/* The compatibility header: NULL when the code fits this process and
 * engine, else the error saying what differs. */
static wrun_error *check_header(rt_reader *r, const wrun_engine *engine,
                                uint32_t *config, uint64_t *guard) {
  uint32_t n;
  const char *isa = rt_get_str(r, &n);
  if (r->failed) return NULL;
  if (n != strlen(jit_isa_name()) || memcmp(isa, jit_isa_name(), n) != 0)
    return BAD("compiled for ISA %.*s, this host is %s", (int)n, isa,
               jit_isa_name());
  const char *version = rt_get_str(r, &n);
  if (r->failed) return NULL;
  if (n != strlen(WRUN_VERSION) || memcmp(version, WRUN_VERSION, n) != 0)
    return BAD("made by wrun %.*s, this is wrun %s", (int)n, version,
               WRUN_VERSION);
  const char *build = rt_get_str(r, &n);
  if (r->failed) return NULL;
  if (n != strlen(RT_BUILD_ID) || memcmp(build, RT_BUILD_ID, n) != 0)
    return BAD("made by wrun build %.*s, this is build %s", (int)n, build,
               RT_BUILD_ID);
  uint32_t features = rt_get_u32(r);
  uint32_t cfg = rt_get_u32(r);
  uint64_t memory_guard = rt_get_u64(r);
  if (r->failed) return NULL;
  uint32_t missing = features & ~jit_cpu_features();
  if (missing) {
    char names[256];
    return BAD("compiled for CPU features this host lacks: %s",
               feature_names(missing, names, sizeof names));
  }
  bool fuel = engine && engine->config.consume_fuel;
  bool det = engine && engine->config.deterministic;
  bool nosig = engine && engine->config.no_signals;
  if ((cfg & CFG_FUEL) != (fuel ? CFG_FUEL : 0u))
    return BAD("compiled with fuel metering %s, the engine has it %s",
               onoff(cfg & CFG_FUEL), onoff(fuel));
  if ((cfg & CFG_DETERMINISTIC) != (det ? CFG_DETERMINISTIC : 0u))
    return BAD("compiled with deterministic mode %s, the engine has it %s",
               onoff(cfg & CFG_DETERMINISTIC), onoff(det));
  if ((cfg & CFG_NO_SIGNALS) != (nosig ? CFG_NO_SIGNALS : 0u))
    return BAD("compiled with signals-based traps %s, the engine has them %s",
               onoff(!(cfg & CFG_NO_SIGNALS)), onoff(!nosig));
  if ((cfg & CFG_SP_CHECK) != BUILD_FLAGS)
    return BAD("compiled with SP checks %s, this build has them %s",
               onoff(cfg & CFG_SP_CHECK), onoff(BUILD_FLAGS != 0));
  static const rt_config defaults;
  rt_memory_strategy st =
      rt_config_memory_strategy(engine ? &engine->config : &defaults);
  if ((cfg & CFG_BOUNDS_CHECKS) != (st.checks ? CFG_BOUNDS_CHECKS : 0u))
    return BAD("compiled with explicit bounds checks %s, the engine has "
               "them %s", onoff(cfg & CFG_BOUNDS_CHECKS), onoff(st.checks));
  if (memory_guard != st.guard)
    return BAD("compiled for a memory guard of %llu bytes, the engine's is "
               "%llu", (unsigned long long)memory_guard,
               (unsigned long long)st.guard);
  if (cfg & ~(uint32_t)CFG_KNOWN)
    return BAD("unknown configuration bits 0x%x", cfg);
  *config = cfg;
  *guard = memory_guard;
  return NULL;
}

/* Reads count u32s into a new array (NULL: out of memory or truncated,
 * see r->failed). */
static uint32_t *get_u32s(rt_reader *r, uint32_t count) {
  uint32_t *a = malloc((count ? count : 1) * sizeof *a);
  if (!a) return NULL;
  for (uint32_t i = 0; i < count; i++) a[i] = rt_get_u32(r);
  return a;
}

#define ALLOC(p, n) ((p) = malloc(((n) ? (n) : 1) * sizeof *(p)))

/* The tables of c, read and bounds-checked against the code size and
 * the module. */
static wrun_error *get_tables(rt_reader *r, jit_code *c, size_t code_size,
                              const rt_module *m) {
  uint32_t ndefined = m->nfuncs - m->nimported_funcs;
  c->nfuncs = rt_get_count(r, 4);
  if (!r->failed && c->nfuncs != ndefined)
    return BAD("code for %u functions, the module defines %u", c->nfuncs,
               ndefined);
  if (!(c->func_offsets = get_u32s(r, c->nfuncs))) goto oom;
  if (!(c->call_offsets = get_u32s(r, c->nfuncs))) goto oom;
  c->ntypes = rt_get_count(r, 4);
  if (!r->failed && c->ntypes != m->ntypes)
    return BAD("trampolines for %u types, the module has %u", c->ntypes,
               m->ntypes);
  if (!(c->entry_offsets = get_u32s(r, c->ntypes))) goto oom;
  for (uint32_t i = 0; i < c->nfuncs && !r->failed; i++)
    if (c->func_offsets[i] >= code_size ||
        (i && c->func_offsets[i] <= c->func_offsets[i - 1]))
      return BAD("function %u's code offset out of order or range", i);
  for (uint32_t i = 0; i < c->nfuncs && !r->failed; i++) {
    uint32_t end = i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                     : (uint32_t)code_size;
    if (c->call_offsets[i] < c->func_offsets[i] || c->call_offsets[i] >= end)
      return BAD("function %u's call entry out of its code", i);
  }
  for (uint32_t i = 0; i < c->ntypes && !r->failed; i++)
    if (c->entry_offsets[i] >= code_size)
      return BAD("trampoline %u's offset out of range", i);

  c->ntraps = rt_get_count(r, 5);
  if (!ALLOC(c->traps, c->ntraps)) goto oom;
  for (uint32_t i = 0; i < c->ntraps; i++) {
    c->traps[i].offset = rt_get_u32(r);
    c->traps[i].code = rt_get_u8(r);
    if (r->failed) break;
    if (c->traps[i].offset >= code_size || c->traps[i].code == 0 ||
        c->traps[i].code >= WRUN_TRAP_COUNT ||
        (i && c->traps[i].offset < c->traps[i - 1].offset))
      return BAD("trap site %u out of order or range", i);
  }

  c->nsyms = rt_get_count(r, 9);
  if (!ALLOC(c->syms, c->nsyms)) goto oom;
  for (uint32_t i = 0; i < c->nsyms; i++) {
    c->syms[i].at = rt_get_u32(r);
    c->syms[i].index = rt_get_u32(r);
    c->syms[i].kind = rt_get_u8(r);
  } /* jit_code_load checks them against the code and the module */

  jit_exn_table *x = &c->exn;
  x->nsites = rt_get_count(r, 8);
  if (!ALLOC(x->sites, x->nsites)) goto oom;
  for (uint32_t i = 0; i < x->nsites; i++) {
    x->sites[i].ret = rt_get_u32(r);
    x->sites[i].scope = rt_get_u32(r);
  }
  x->nscopes = rt_get_count(r, 16);
  if (!ALLOC(x->scopes, x->nscopes)) goto oom;
  for (uint32_t i = 0; i < x->nscopes; i++) {
    x->scopes[i].parent = rt_get_u32(r);
    x->scopes[i].first = rt_get_u32(r);
    x->scopes[i].last = rt_get_u32(r);
    x->scopes[i].frame_size = rt_get_u32(r);
  }
  x->nclauses = rt_get_count(r, 13);
  if (!ALLOC(x->clauses, x->nclauses)) goto oom;
  for (uint32_t i = 0; i < x->nclauses; i++) {
    x->clauses[i].kind = rt_get_u8(r);
    x->clauses[i].tag = rt_get_u32(r);
    x->clauses[i].pad = rt_get_u32(r);
    x->clauses[i].next = rt_get_u32(r);
  }
  if (r->failed) return NULL;
  /* The unwinder follows these links: each must stay in its table, and
   * point one way (a scope's parent is older, a clause's next newer, as
   * the compiler makes them), so that no walk can loop. */
  for (uint32_t i = 0; i < x->nsites; i++)
    if ((x->sites[i].scope != JIT_NO_SCOPE && x->sites[i].scope >= x->nscopes) ||
        x->sites[i].ret > code_size ||
        (i && x->sites[i].ret < x->sites[i - 1].ret))
      return BAD("exception site %u out of order or range", i);
  for (uint32_t i = 0; i < x->nscopes; i++) {
    const jit_exn_scope *s = &x->scopes[i];
    if ((s->parent != JIT_NO_SCOPE && s->parent >= i) ||
        (s->first != JIT_NO_SCOPE && s->first >= x->nclauses) ||
        (s->last != JIT_NO_SCOPE && s->last >= x->nclauses))
      return BAD("exception scope %u links out of range", i);
  }
  for (uint32_t i = 0; i < x->nclauses; i++) {
    const jit_exn_clause *k = &x->clauses[i];
    if ((k->next != JIT_NO_SCOPE && (k->next <= i || k->next >= x->nclauses)) ||
        k->kind > JIT_CATCH_ALL_REF || k->pad >= code_size ||
        ((k->kind == JIT_CATCH || k->kind == JIT_CATCH_REF) &&
         k->tag >= m->ntags))
      return BAD("exception clause %u out of range", i);
  }

  jit_stack_maps *s = &c->maps;
  s->nsites = rt_get_count(r, 12);
  if (!ALLOC(s->sites, s->nsites)) goto oom;
  for (uint32_t i = 0; i < s->nsites; i++) {
    s->sites[i].ret = rt_get_u32(r);
    s->sites[i].first = rt_get_u32(r);
    s->sites[i].count = rt_get_u32(r);
  }
  s->nslots = rt_get_count(r, 4);
  if (!ALLOC(s->slots, s->nslots)) goto oom;
  for (uint32_t i = 0; i < s->nslots; i++) s->slots[i] = (int32_t)rt_get_u32(r);
  if (r->failed) return NULL;
  for (uint32_t i = 0; i < s->nsites; i++)
    if (s->sites[i].first > s->nslots ||
        s->nslots - s->sites[i].first < s->sites[i].count ||
        s->sites[i].ret > code_size ||
        (i && s->sites[i].ret < s->sites[i - 1].ret))
      return BAD("stack map %u out of order or range", i);

  uint8_t has_pcmap = rt_get_u8(r);
  if (r->failed || !has_pcmap) return NULL;
  if (has_pcmap != 1) return BAD("garbled pc map flag %u", has_pcmap);
  c->pcmap_size = rt_get_count(r, 1);
  const uint8_t *map = rt_get_bytes(r, c->pcmap_size);
  if (!map) return NULL;
  if (!ALLOC(c->pcmap, c->pcmap_size)) goto oom;
  memcpy(c->pcmap, map, c->pcmap_size);
  if (!(c->pcmap_starts = get_u32s(r, c->nfuncs))) goto oom;
  if (r->failed) return NULL;
  /* a lookup decodes [starts[f], starts[f + 1]) (or to the end) */
  for (uint32_t i = 0; i < c->nfuncs; i++)
    if (c->pcmap_starts[i] > c->pcmap_size ||
        (i && c->pcmap_starts[i] < c->pcmap_starts[i - 1]))
      return BAD("pc map of function %u out of order or range", i);
  return NULL;
oom:
  return rt_error_new(RT_NO_OFFSET, "out of memory");
}

wrun_error *wrun_module_deserialize(wrun_engine *engine, const uint8_t *bytes,
                                    size_t len, wrun_module **out) {
  *out = NULL;
  if (!wrun_module_is_serialized(bytes, len))
    return BAD("not a wrun compiled module (bad magic)");
  rt_reader r;
  rt_reader_init(&r, bytes, len);
  rt_get_bytes(&r, sizeof magic);
  uint32_t format = rt_get_u32(&r);
  if (!r.failed && format != RT_SERIAL_FORMAT)
    return BAD("format version %u, this wrun reads version %u", format,
               RT_SERIAL_FORMAT);
  uint64_t sum = rt_get_u64(&r);
  uint32_t cfg = 0;
  uint64_t guard = 0;
  wrun_error *err = check_header(&r, engine, &cfg, &guard);
  if (err) return err;
  if (r.failed) return BAD("truncated (%zu bytes)", len);
  if (rt_fnv1a64(bytes + 20, len - 20) != sum)
    return BAD("checksum mismatch: the file is damaged");

  uint64_t wasm_len = rt_get_u64(&r);
  const uint8_t *wasm = wasm_len <= rt_reader_left(&r)
                            ? rt_get_bytes(&r, (size_t)wasm_len)
                            : NULL;
  if (!wasm) return BAD("truncated in the wasm module");
  rt_module *m = NULL;
  /* Decodes, validates outside bodies and interns the types into this
   * process's tables, as wrun_module_new does; bodies are not compiled. */
  err = rt_module_read(wasm, (size_t)wasm_len, &m);
  if (err) return err;

  wrun_module *mod = calloc(1, sizeof *mod);
  if (!mod) {
    rt_module_free(m);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  uint64_t code_size = rt_get_u64(&r);
  const uint8_t *code = code_size <= rt_reader_left(&r) &&
                                code_size < UINT32_MAX
                            ? rt_get_bytes(&r, (size_t)code_size)
                            : NULL;
  if (!code) r.failed = true;
  if (!r.failed) err = get_tables(&r, &mod->code, (size_t)code_size, m);
  if (!err && r.failed) err = BAD("truncated or garbled tables");
  if (!err && rt_reader_left(&r))
    err = BAD("%zu bytes past the end of its tables", rt_reader_left(&r));
  mod->code.fuel = (cfg & CFG_FUEL) != 0;
  mod->code.relocatable = true;
  if (!err)
    err = jit_code_load(&mod->code, code, (size_t)code_size, m);
  if (!err) {
    mod->code_slot = rt_code_register(&mod->code, m);
    if (mod->code_slot < 0 && mod->code.size)
      err = rt_error_new(RT_NO_OFFSET, "too many live modules");
  }
  if (err) {
    jit_code_free(&mod->code);
    rt_module_free(m);
    free(mod);
    return err;
  }
  rt_profile_code(engine, &mod->code, m);
  if (engine && engine->config.debug_info)
    mod->gdb_entry = rt_gdb_jit_register(&mod->code, m);
  mod->engine = engine;
  mod->deterministic = (cfg & CFG_DETERMINISTIC) != 0;
  mod->fuel = (cfg & CFG_FUEL) != 0;
  mod->bounds_checks = (cfg & CFG_BOUNDS_CHECKS) != 0;
  mod->memory_guard = guard;
  mod->no_signals = (cfg & CFG_NO_SIGNALS) != 0;
  mod->m = m;
  atomic_init(&mod->refs, 1);
  *out = mod;
  return NULL;
}
