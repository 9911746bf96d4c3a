/* Parallel compilation: the defined functions are cut into runs of
 * consecutive functions, which threads (the caller's and up to jobs - 1
 * more, started for the compile) take in order from a shared counter and
 * compile each into a masm of its own, with a validator and a code
 * generator per thread. Every run starts and ends on a page boundary, in
 * a serial compile of the module too (jit_compile_in_runs), so the
 * caller lays the runs out by moving their pages one after the other
 * (jit_buf_move_pages: no copy, where a copy of sqlite's 1.8 MB of code
 * into fresh pages was 1.4 ms, the most of the serial part), which is
 * where a serial compile puts them: every function starts at its serial
 * offset and, since its code refers only to itself (direct calls are
 * relocations patched after the layout), has its serial bytes. Offsets
 * in the tables are rebased by the run's start.
 *
 * What the threads share is read-only during the compile: the module,
 * the options, the tail-call flags of a second compile (the first writes
 * each function's own), and the process-wide type tables of
 * runtime/engine.c (behind their lock). CPU features, detected on first
 * use with benign races, are detected by the caller before the threads
 * start.
 *
 * The error is the serial one: the first validation error in function
 * order (a run stops at its first; runs past an earlier failure stop
 * early), else the first code generation error, else SIMD refused. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile_internal.h"
#include "error.h"

/* Body bytes per run, at least. A module of one run (less than twice
 * this) compiles on the calling thread. See docs/design-notes.md,
 * "Parallel compilation", for the measurements. */
#define DEFAULT_SPLIT_BYTES (32u * 1024)
/* More threads than this are not started, whatever jobs says. */
#define MAX_THREADS 256u

typedef struct run_span {
  uint32_t first, end; /* defined functions [first, end) */
} run_span;

typedef struct par_run { /* the compile of job->spans[k] */
  jit_masm m;
  jit_exn_table exn;
  jit_stack_maps maps;
  body_outcome outcome;
  wrun_error *err;
} par_run;

typedef struct par_job {
  const jit_compile_plan *plan;
  const run_span *spans;
  par_run *runs;
  uint32_t nruns;
  _Atomic uint32_t next;    /* the next run to take */
  _Atomic uint32_t stop_at; /* lowest defined index that failed */
  size_t page;
} par_job;

static uint32_t split_bytes(const jit_options *opts) {
  if (opts && opts->split_bytes) return opts->split_bytes;
  const char *env = getenv("WRUN_COMPILE_SPLIT_BYTES");
  if (env && *env) {
    char *end;
    unsigned long v = strtoul(env, &end, 10);
    if (!*end && v > 0 && v <= UINT32_MAX) return (uint32_t)v;
  }
  return DEFAULT_SPLIT_BYTES;
}

/* Cuts the defined functions into runs of at least split body bytes
 * (a last one with fewer joins the run before it); writes them to runs
 * when given. Returns how many. */
static uint32_t cut_runs(const rt_module *mod, uint32_t split,
                         run_span *runs) {
  uint32_t ndefined = mod->nfuncs - mod->nimported_funcs, n = 0, first = 0;
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < ndefined; i++) {
    bytes += mod->funcs[mod->nimported_funcs + i].body_len;
    bool last = i + 1 == ndefined;
    if (bytes < split && !last) continue;
    if (bytes < split && n > 0) {
      n--; /* too small alone: the last run takes it */
      if (runs) first = runs[n].first;
    }
    if (runs) {
      runs[n].first = first;
      runs[n].end = i + 1;
    }
    n++;
    first = i + 1;
    bytes = 0;
  }
  return n;
}

bool jit_compile_splits(const jit_compile_plan *p) {
  return cut_runs(p->mod, split_bytes(p->opts), NULL) > 1;
}

wrun_error *jit_compile_in_runs(const jit_compile_plan *p, jit_compiler *c,
                                jit_masm *m, body_outcome *outcome) {
  uint32_t nruns = cut_runs(p->mod, split_bytes(p->opts), NULL);
  run_span *runs = calloc(nruns ? nruns : 1, sizeof *runs);
  if (!runs) return rt_error_new(RT_NO_OFFSET, "out of memory");
  cut_runs(p->mod, split_bytes(p->opts), runs);
  size_t page = jit_page_size();
  wrun_error *err = NULL;
  jit_buf_pad(&m->buf, (uint32_t)page);
  for (uint32_t k = 0; k < nruns && !err; k++) {
    err = jit_compile_run(p, c, m, runs[k].first, runs[k].end, outcome, NULL);
    jit_buf_pad(&m->buf, (uint32_t)page);
  }
  free(runs);
  return err;
}

unsigned jit_compile_threads(const jit_compile_plan *p) {
  unsigned jobs = p->opts ? p->opts->jobs : 0;
  if (jobs == 1) return 1;
  uint32_t nruns = cut_runs(p->mod, split_bytes(p->opts), NULL);
  if (nruns < 2) return 1;
  if (jobs == 0) { /* glibc reads /sys for it: only for modules that split */
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = online > 0 ? (unsigned)online : 1;
  }
  if (jobs > MAX_THREADS) jobs = MAX_THREADS;
  return nruns < jobs ? nruns : jobs;
}

static void compile_runs(par_job *job, jit_compiler *c) {
  for (;;) {
    uint32_t k = atomic_fetch_add(&job->next, 1);
    if (k >= job->nruns) return;
    par_run *r = &job->runs[k];
    r->err = jit_compile_run(job->plan, c, &r->m, job->spans[k].first,
                             job->spans[k].end,
                             &r->outcome, &job->stop_at);
    jit_buf_pad(&r->m.buf, (uint32_t)job->page); /* it ends on a page */
    jit_codegen_take_exn_table(c->g, &r->exn);
    jit_codegen_take_stack_maps(c->g, &r->maps);
  }
}

/* A thread that cannot make its compiler takes no run: the others,
 * the caller's at least, take them all. */
static void *worker(void *arg) {
  par_job *job = arg;
  jit_compiler c;
  if (jit_compiler_init(&c, job->plan)) {
    compile_runs(job, &c);
    jit_compiler_fini(&c);
  }
  return NULL;
}

/* Room for n more items (doubling, so that appends stay linear). */
static bool reserve(void **arr, uint32_t len, uint32_t n, uint32_t *cap,
                    size_t elem) {
  if (*cap - len >= n) return true;
  uint64_t c = *cap ? *cap : 16;
  while (c < (uint64_t)len + n) c *= 2;
  if (c > UINT32_MAX) return false;
  void *p = realloc(*arr, (size_t)c * elem);
  if (!p) return false;
  *arr = p;
  *cap = (uint32_t)c;
  return true;
}

static uint32_t moved(uint32_t index, uint32_t by) {
  return index == JIT_NO_SCOPE ? index : index + by;
}

/* Appends src (code offsets from base, scope and clause indices from
 * dst's counts). */
static bool append_exn(jit_exn_table *dst, const jit_exn_table *src,
                       uint32_t base) {
  if (!reserve((void **)&dst->sites, dst->nsites, src->nsites,
               &dst->cap_sites, sizeof *dst->sites) ||
      !reserve((void **)&dst->scopes, dst->nscopes, src->nscopes,
               &dst->cap_scopes, sizeof *dst->scopes) ||
      !reserve((void **)&dst->clauses, dst->nclauses, src->nclauses,
               &dst->cap_clauses, sizeof *dst->clauses))
    return false;
  uint32_t scopes = dst->nscopes, clauses = dst->nclauses;
  for (uint32_t i = 0; i < src->nsites; i++) {
    jit_exn_site s = src->sites[i];
    s.ret += base;
    s.scope = moved(s.scope, scopes);
    dst->sites[dst->nsites++] = s;
  }
  for (uint32_t i = 0; i < src->nscopes; i++) {
    jit_exn_scope s = src->scopes[i];
    s.parent = moved(s.parent, scopes);
    s.first = moved(s.first, clauses);
    s.last = moved(s.last, clauses);
    dst->scopes[dst->nscopes++] = s;
  }
  for (uint32_t i = 0; i < src->nclauses; i++) {
    jit_exn_clause c = src->clauses[i];
    c.pad += base;
    c.next = moved(c.next, clauses);
    dst->clauses[dst->nclauses++] = c;
  }
  return true;
}

static bool append_maps(jit_stack_maps *dst, const jit_stack_maps *src,
                        uint32_t base) {
  if (!reserve((void **)&dst->sites, dst->nsites, src->nsites,
               &dst->cap_sites, sizeof *dst->sites) ||
      !reserve((void **)&dst->slots, dst->nslots, src->nslots,
               &dst->cap_slots, sizeof *dst->slots))
    return false;
  for (uint32_t i = 0; i < src->nsites; i++) {
    jit_stack_map s = src->sites[i];
    s.ret += base;
    s.first += dst->nslots;
    dst->sites[dst->nsites++] = s;
  }
  if (src->nslots)
    memcpy(dst->slots + dst->nslots, src->slots,
           src->nslots * sizeof *src->slots);
  dst->nslots += src->nslots;
  return true;
}

/* Lays run r out at m's position, a page boundary, where the serial
 * compile (jit_compile_in_runs) places it too: its pages move there. */
static bool lay_out(const jit_compile_plan *p, jit_masm *m, par_run *r,
                    run_span span, jit_exn_table *exn, jit_stack_maps *maps,
                    size_t page) {
  uint32_t base = jit_buf_pos(&m->buf), pc_base = m->pcmap.size;
  jit_masm_append(m, &r->m, page);
  for (uint32_t i = span.first; i < span.end; i++) {
    p->func_offsets[i] += base;
    p->call_entries[i] += base;
    p->pcmap_starts[i] += pc_base;
  }
  return append_exn(exn, &r->exn, base) && append_maps(maps, &r->maps, base);
}

static void free_run(par_run *r) {
  jit_masm_free(&r->m);
  jit_exn_table_free(&r->exn);
  jit_stack_maps_free(&r->maps);
  if (r->err) wrun_error_delete(r->err);
  if (r->outcome.gen_error) wrun_error_delete(r->outcome.gen_error);
  memset(r, 0, sizeof *r);
}

/* The serial compile's outcome from the runs, laid out into m. */
static wrun_error *merge(const jit_compile_plan *p, par_job *job, jit_masm *m,
                         body_outcome *outcome, jit_exn_table *exn,
                         jit_stack_maps *maps) {
  for (uint32_t k = 0; k < job->nruns; k++) {
    par_run *r = &job->runs[k];
    if (r->err) {
      wrun_error *err = r->err;
      r->err = NULL;
      return err;
    }
    if (r->outcome.gen_error && !outcome->gen_error) {
      outcome->gen_error = r->outcome.gen_error;
      r->outcome.gen_error = NULL;
    }
    outcome->simd |= r->outcome.simd;
  }
  /* One reservation for the whole code (its pages untouched: the runs'
   * pages move into it; a run that cannot move is copied), each run's
   * masm freed once laid out. */
  jit_buf_pad(&m->buf, (uint32_t)job->page);
  uint64_t total = jit_buf_pos(&m->buf);
  for (uint32_t k = 0; k < job->nruns; k++)
    total += (uint64_t)job->runs[k].m.buf.size;
  if (total > UINT32_MAX ||
      !jit_buf_reserve(&m->buf, (uint32_t)(total - jit_buf_pos(&m->buf))))
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  for (uint32_t k = 0; k < job->nruns; k++) {
    bool ok = lay_out(p, m, &job->runs[k], job->spans[k], exn, maps,
                      job->page);
    free_run(&job->runs[k]);
    if (!ok) return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  return NULL;
}

wrun_error *jit_compile_parallel(const jit_compile_plan *p, unsigned threads,
                                 jit_masm *m, body_outcome *outcome,
                                 jit_exn_table *exn, jit_stack_maps *maps) {
  uint32_t nruns = cut_runs(p->mod, split_bytes(p->opts), NULL);
  par_job job = {.plan = p, .nruns = nruns, .page = jit_page_size()};
  run_span *spans = calloc(nruns ? nruns : 1, sizeof *spans);
  atomic_init(&job.next, 0);
  atomic_init(&job.stop_at, UINT32_MAX);
  job.runs = calloc(nruns ? nruns : 1, sizeof *job.runs);
  pthread_t *tids = calloc(threads, sizeof *tids);
  jit_compiler lead = {NULL, NULL};
  if (!job.runs || !tids || !spans || !jit_compiler_init(&lead, p)) {
    free(job.runs);
    free(tids);
    free(spans);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  cut_runs(p->mod, split_bytes(p->opts), spans);
  job.spans = spans;
  for (uint32_t k = 0; k < nruns; k++) {
    jit_masm_init(&job.runs[k].m);
    job.runs[k].m.relocatable = m->relocatable;
  }
  (void)jit_cpu_features(); /* detected here, not raced by the threads */
  unsigned started = 0;
  for (unsigned t = 1; t < threads; t++)
    if (pthread_create(&tids[started], NULL, worker, &job) == 0) started++;
  compile_runs(&job, &lead);
  for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
  jit_compiler_fini(&lead);
  free(tids);
  wrun_error *err = merge(p, &job, m, outcome, exn, maps);
  for (uint32_t k = 0; k < nruns; k++) free_run(&job.runs[k]);
  free(job.runs);
  free(spans);
  return err;
}
