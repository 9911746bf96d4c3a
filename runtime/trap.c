/* Traps: trap objects, the registry of JIT code, signal handling and the
 * unwinding to the active wasm entry, and backtraces.
 *
 * A trap inside compiled code arrives as a signal (SIGILL for ud2/udf,
 * SIGSEGV/SIGBUS for a guard-page access), or, in code compiled without
 * signals (jit_options.no_signals), as a call of rt_lib_trap. The handler
 * runs on a per-thread alternate stack, checks that the pc is JIT code at a
 * registered trap site while a wasm call is active on this thread, records
 * the trap code and a backtrace in thread-local state and siglongjmps to
 * the entry (call.c). Anything else goes to the previous handler: a host
 * crash is never swallowed. Traps raised from C (libcalls, host functions)
 * take the same path without a signal.
 */
#include "runtime.h"

#include "dwarf_line.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

/* ---- trap objects -------------------------------------------------------- */

static const char *const trap_messages[WRUN_TRAP_COUNT] = {
    [WRUN_TRAP_NONE] = "no trap",
    [WRUN_TRAP_UNREACHABLE] = "unreachable",
    [WRUN_TRAP_INT_DIV_ZERO] = "integer divide by zero",
    [WRUN_TRAP_INT_OVERFLOW] = "integer overflow",
    [WRUN_TRAP_BAD_CONVERSION] = "invalid conversion to integer",
    [WRUN_TRAP_MEMORY_OOB] = "out of bounds memory access",
    [WRUN_TRAP_TABLE_OOB] = "out of bounds table access",
    [WRUN_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [WRUN_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [WRUN_TRAP_INDIRECT_MISMATCH] = "indirect call type mismatch",
    [WRUN_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [WRUN_TRAP_HOST] = "host trap",
    [WRUN_TRAP_EXIT] = "exit",
    [WRUN_TRAP_INTERRUPT] = "interrupted",
    [WRUN_TRAP_OUT_OF_FUEL] = "all fuel consumed",
    [WRUN_TRAP_EXCEPTION] = "uncaught exception",
    [WRUN_TRAP_NULL_EXNREF] = "null exception reference",
    [WRUN_TRAP_NULL_FUNCREF] = "null function reference",
    [WRUN_TRAP_NULL_REFERENCE] = "null reference",
    [WRUN_TRAP_NULL_I31] = "null i31 reference",
    [WRUN_TRAP_CAST_FAILURE] = "cast failure",
    [WRUN_TRAP_UNALIGNED_ATOMIC] = "unaligned atomic",
    [WRUN_TRAP_EXPECTED_SHARED] = "expected shared memory",
    [WRUN_TRAP_NULL_STRUCT] = "null structure reference",
    [WRUN_TRAP_NULL_ARRAY] = "null array reference",
    [WRUN_TRAP_ARRAY_OOB] = "out of bounds array access",
    [WRUN_TRAP_GC_HEAP] = "out of GC heap memory",
    [WRUN_TRAP_BAD_ARGUMENTS] = "arguments do not match the function",
};

/* Used when a trap object cannot be allocated; never freed. */
static wrun_trap out_of_memory_trap = {.code = WRUN_TRAP_HOST,
                                       .message = "out of memory"};

static wrun_trap *trap_alloc(wrun_trap_code code, const char *message) {
  wrun_trap *t = calloc(1, sizeof *t);
  char *msg = strdup(message);
  if (!t || !msg) {
    free(t);
    free(msg);
    return &out_of_memory_trap;
  }
  t->code = code;
  t->message = msg;
  return t;
}

wrun_trap *rt_trap_new_code(wrun_trap_code code) {
  if ((unsigned)code >= WRUN_TRAP_COUNT) code = WRUN_TRAP_HOST;
  return trap_alloc(code, trap_messages[code]);
}

wrun_trap *rt_trap_newf(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return trap_alloc(WRUN_TRAP_HOST, buf);
}

wrun_trap *rt_trap_code_newf(wrun_trap_code code, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return trap_alloc(code, buf);
}

wrun_trap *wrun_trap_new(const char *message) {
  return trap_alloc(WRUN_TRAP_HOST, message ? message : "");
}

wrun_trap *wrun_trap_new_exit(int32_t status) {
  char buf[48];
  snprintf(buf, sizeof buf, "exit with status %d", (int)status);
  wrun_trap *t = trap_alloc(WRUN_TRAP_EXIT, buf);
  if (t != &out_of_memory_trap) t->exit_status = status;
  return t;
}

void rt_trap_recode(wrun_trap *t, wrun_trap_code code) {
  if (t == &out_of_memory_trap || (unsigned)code >= WRUN_TRAP_COUNT) return;
  char *msg = strdup(trap_messages[code]);
  if (!msg) return; /* keep the trap as it was rather than lose it */
  free(t->message);
  t->message = msg;
  t->code = code;
}

void rt_trap_set_message(wrun_trap *t, const char *fmt, ...) {
  if (t == &out_of_memory_trap) return;
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char *msg = strdup(buf);
  if (!msg) return; /* keep the old message rather than lose the trap */
  free(t->message);
  t->message = msg;
}

wrun_trap_code wrun_trap_code_of(const wrun_trap *t) { return t->code; }
const char *wrun_trap_message(const wrun_trap *t) { return t->message; }
int32_t wrun_trap_exit_status(const wrun_trap *t) { return t->exit_status; }

wrun_trap *wrun_trap_new_exception(wrun_exn *exn) {
  if (!exn) return wrun_trap_new("null exception");
  wrun_trap *t = rt_trap_new_code(WRUN_TRAP_EXCEPTION);
  if (t != &out_of_memory_trap) t->exn = exn;
  return t;
}

wrun_exn *wrun_trap_exception(const wrun_trap *t) {
  return t && t->code == WRUN_TRAP_EXCEPTION ? t->exn : NULL;
}
size_t wrun_trap_frame_count(const wrun_trap *t) { return t->nframes; }

size_t wrun_trap_frames_omitted(const wrun_trap *t) {
  return t->frames_omitted;
}

const char *wrun_trap_frame_file(const wrun_trap *t, size_t i) {
  return i < t->nframes ? t->frames[i].file : NULL;
}

uint32_t wrun_trap_frame_line(const wrun_trap *t, size_t i) {
  return i < t->nframes && t->frames[i].file ? t->frames[i].line : 0;
}

uint32_t wrun_trap_frame_column(const wrun_trap *t, size_t i) {
  return i < t->nframes && t->frames[i].file ? t->frames[i].column : 0;
}

uint32_t wrun_trap_frame_func(const wrun_trap *t, size_t i) {
  return i < t->nframes ? t->frames[i].func : UINT32_MAX;
}

const char *wrun_trap_frame_name(const wrun_trap *t, size_t i) {
  return i < t->nframes ? t->frames[i].name : NULL;
}

const char *wrun_trap_frame_module_name(const wrun_trap *t, size_t i) {
  return i < t->nframes ? t->frames[i].module_name : NULL;
}

size_t wrun_trap_frame_module_offset(const wrun_trap *t, size_t i) {
  if (i >= t->nframes || t->frames[i].offset == UINT32_MAX) return SIZE_MAX;
  return t->frames[i].offset;
}

size_t wrun_trap_frame_func_offset(const wrun_trap *t, size_t i) {
  if (i >= t->nframes || t->frames[i].offset == UINT32_MAX) return SIZE_MAX;
  return t->frames[i].offset - t->frames[i].body_start;
}

void rt_trap_forget_offset(wrun_trap *t, size_t i) {
  if (i < t->nframes) t->frames[i].offset = UINT32_MAX;
}

void wrun_trap_delete(wrun_trap *t) {
  if (!t || t == &out_of_memory_trap) return;
  for (size_t i = 0; i < t->nframes; i++) {
    free(t->frames[i].name);
    free(t->frames[i].module_name);
    free(t->frames[i].file);
  }
  free(t->frames);
  free(t->message);
  free(t);
}

/* ---- registry of executable code ------------------------------------------ */

/* A fixed array the signal handler can scan without locks or malloc. A slot
 * is published by storing its end last (release) and retired by clearing
 * end first; writers take a mutex. */
#define RT_CODE_SLOTS 16384

typedef struct rt_code_region {
  _Atomic uintptr_t end;
  uintptr_t start;
  const jit_code *code;
  const rt_module *module; /* NULL for trampolines */
} rt_code_region;

static rt_code_region code_regions[RT_CODE_SLOTS];
static atomic_uint code_region_count; /* slots ever used */
static pthread_mutex_t code_lock = PTHREAD_MUTEX_INITIALIZER;

int rt_code_register(const jit_code *code, const rt_module *m) {
  if (!code || !code->mem || !code->size) return -1;
  pthread_mutex_lock(&code_lock);
  unsigned n = atomic_load(&code_region_count);
  unsigned slot = 0;
  while (slot < n && code_regions[slot].code) slot++;
  if (slot == RT_CODE_SLOTS) {
    pthread_mutex_unlock(&code_lock);
    return -1;
  }
  rt_code_region *r = &code_regions[slot];
  r->code = code;
  r->module = m;
  r->start = (uintptr_t)code->mem;
  atomic_store_explicit(&r->end, (uintptr_t)code->mem + code->size,
                        memory_order_release);
  if (slot == n) atomic_store(&code_region_count, n + 1);
  pthread_mutex_unlock(&code_lock);
  return (int)slot;
}

void rt_code_unregister(int slot) {
  if (slot < 0 || slot >= RT_CODE_SLOTS) return;
  pthread_mutex_lock(&code_lock);
  atomic_store_explicit(&code_regions[slot].end, 0, memory_order_release);
  code_regions[slot].code = NULL;
  code_regions[slot].module = NULL;
  pthread_mutex_unlock(&code_lock);
}

/* Async-signal-safe. */
static const rt_code_region *region_at(uintptr_t pc) {
  unsigned n = atomic_load_explicit(&code_region_count, memory_order_acquire);
  for (unsigned i = 0; i < n; i++) {
    const rt_code_region *r = &code_regions[i];
    uintptr_t end = atomic_load_explicit(&r->end, memory_order_acquire);
    if (end && pc >= r->start && pc < end) return r;
  }
  return NULL;
}

const jit_code *rt_code_at(uintptr_t pc, const rt_module **module) {
  const rt_code_region *r = region_at(pc);
  *module = r ? r->module : NULL;
  return r ? r->code : NULL;
}

/* ---- thread-local trap state ----------------------------------------------- */

#define RT_MAX_FRAMES 128

typedef struct rt_trap_record {
  uint8_t code;
  /* A fault in code compiled with fuel: the fuel register's value, which
   * the code had not stored back yet (see jit/codegen_fuel.c). */
  bool has_fuel;
  uint64_t fuel_left;
  wrun_trap *object; /* a host trap being carried through, or NULL */
  uint32_t nframes;
  const rt_module *frame_module[RT_MAX_FRAMES];
  uint32_t frame_func[RT_MAX_FRAMES];
  /* The frame's pc, and whether it is a return address (outer frames,
   * and a trap raised from C) rather than the trapping instruction's:
   * mapped to wasm offsets after the unwinding, not in the handler. */
  const jit_code *frame_code[RT_MAX_FRAMES];
  uintptr_t frame_pc[RT_MAX_FRAMES];
  bool frame_returns[RT_MAX_FRAMES];
  uintptr_t frame_vmctx[RT_MAX_FRAMES]; /* the word at fp + saved vmctx */
  uint32_t omitted; /* wasm frames past the first RT_MAX_FRAMES */
} rt_trap_record;

static __thread rt_entry *current_entry;
static __thread rt_trap_record trap_record;
static __thread uintptr_t stack_low, stack_high;
static __thread bool thread_ready, thread_signals_ready;

rt_entry *rt_current_entry(void) { return current_entry; }
void rt_set_current_entry(rt_entry *e) { current_entry = e; }

void rt_thread_stack_bounds(uintptr_t *low, uintptr_t *high) {
  if (!stack_high) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void *addr;
      size_t size;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        stack_low = (uintptr_t)addr;
        stack_high = (uintptr_t)addr + size;
      }
      pthread_attr_destroy(&attr);
    }
  }
  *low = stack_low;
  *high = stack_high;
}

/* ---- backtraces ------------------------------------------------------------------ */

/* Walks the frame-pointer chain from (pc, fp): [fp] is the caller's fp and
 * [fp + 8] the return address on both x86-64 and AArch64 (x29/x30 pair).
 * Keeps wasm frames only: C frames before the first wasm frame are skipped,
 * the walk stops at the first non-wasm frame after it. Reads only inside
 * this thread's stack, so a broken chain cannot fault. Async-signal-safe.
 * The first RT_MAX_FRAMES wasm frames are kept (no allocation here); the
 * rest are counted, so that a backtrace can say how many it leaves out. */
static void record_frames(uintptr_t pc, uintptr_t fp) {
  rt_trap_record *r = &trap_record;
  r->nframes = 0;
  r->omitted = 0;
  bool return_address = false; /* the first pc is the trapping one */
  for (;;) {
    uintptr_t at = return_address ? pc - 1 : pc; /* inside the call insn */
    const rt_code_region *reg = pc ? region_at(at) : NULL;
    int32_t f = reg && reg->module ? jit_code_func_at(reg->code, at) : -1;
    if (f >= 0 && r->nframes == RT_MAX_FRAMES) {
      r->omitted++;
    } else if (f >= 0) {
      r->frame_module[r->nframes] = reg->module;
      r->frame_func[r->nframes] = reg->module->nimported_funcs + (uint32_t)f;
      r->frame_code[r->nframes] = reg->code;
      r->frame_pc[r->nframes] = pc;
      r->frame_returns[r->nframes] = return_address;
      /* every wasm frame saves its vmctx just below the saved fp
       * (jit/codegen_internal.h) */
      r->frame_vmctx[r->nframes] =
          fp >= stack_low + 8 && fp < stack_high
              ? ((const uintptr_t *)fp)[-1]
              : 0;
      r->nframes++;
    } else if (r->nframes > 0) {
      break;
    }
    if (fp < stack_low || fp + 16 > stack_high || (fp & 7)) break;
    uintptr_t next_fp = ((const uintptr_t *)fp)[0];
    pc = ((const uintptr_t *)fp)[1];
    if (next_fp <= fp) break;
    fp = next_fp;
    return_address = true;
  }
}

static void attach_frames(wrun_trap *t) {
  const rt_trap_record *r = &trap_record;
  if (t == &out_of_memory_trap || t->nframes || !r->nframes) return;
  t->frames = calloc(r->nframes, sizeof *t->frames);
  if (!t->frames) return;
  for (uint32_t i = 0; i < r->nframes; i++) {
    const rt_module *m = r->frame_module[i];
    uint32_t f = r->frame_func[i];
    rt_trap_frame *fr = &t->frames[i];
    fr->func = f;
    fr->offset = jit_code_wasm_offset_at(r->frame_code[i], m, r->frame_pc[i],
                                         r->frame_returns[i]);
    fr->body_start = f < m->nfuncs ? m->funcs[f].body_offset : 0;
    if (m->func_names && f < m->nfuncs && m->func_names[f])
      fr->name = strdup(m->func_names[f]);
    if (m->module_name) fr->module_name = strdup(m->module_name);
    fr->vmctx = r->frame_vmctx[i];
    fr->frame_module = m;
    const char *file;
    if (rt_line_of((rt_module *)m, fr->offset, &file, &fr->line,
                   &fr->column))
      fr->file = strdup(file);
  }
  t->nframes = r->nframes;
  t->frames_omitted = r->omitted;
}

void rt_trap_bind_instances(wrun_trap *t, const wrun_store *s) {
  if (!t || t == &out_of_memory_trap) return;
  bool unsaved = t->code == WRUN_TRAP_STACK_EXHAUSTED ||
                 t->code == WRUN_TRAP_INTERRUPT;
  for (size_t i = unsaved ? 1 : 0; i < t->nframes; i++) {
    rt_trap_frame *fr = &t->frames[i];
    if (fr->instance || !fr->vmctx) continue;
    for (rt_instance *inst = s->instances; inst; inst = inst->next)
      if ((uintptr_t)inst->vmctx == fr->vmctx && inst->m == fr->frame_module) {
        fr->instance = inst;
        break;
      }
  }
}

wrun_instance *wrun_trap_frame_instance(const wrun_trap *t, size_t i) {
  return i < t->nframes ? t->frames[i].instance : NULL;
}

wrun_trap *rt_trap_take(void) {
  rt_trap_record *r = &trap_record;
  wrun_trap *t = r->object ? r->object : rt_trap_new_code(r->code);
  attach_frames(t);
  r->object = NULL;
  r->code = 0;
  r->nframes = 0;
  return t;
}

/* ---- raising from C ---------------------------------------------------------------- */

static __attribute__((noreturn)) void unwind_to_entry(void) {
  rt_entry *e = current_entry;
  if (!e) __builtin_trap(); /* a libcall outside wasm: a runtime bug */
  siglongjmp(e->jmp, 1);
}

bool rt_trap_take_fuel(uint64_t *left) {
  bool has = trap_record.has_fuel;
  if (has) *left = trap_record.fuel_left;
  trap_record.has_fuel = false;
  return has;
}

/* Raised from C (libcalls, host functions): wasm stored its fuel before
 * calling out, so the counter in memory is current. */
void rt_trap_raise(wrun_trap_code code) {
  trap_record.has_fuel = false;
  trap_record.code = (uint8_t)code;
  trap_record.object = NULL;
  record_frames(0, (uintptr_t)__builtin_frame_address(0));
  unwind_to_entry();
}

void rt_trap_raise_object(wrun_trap *t) {
  trap_record.has_fuel = false;
  trap_record.code = (uint8_t)t->code;
  trap_record.object = t;
  record_frames(0, (uintptr_t)__builtin_frame_address(0));
  unwind_to_entry();
}

/* ---- signals ---------------------------------------------------------------------- */

/* No SIGFPE: division checks its operands (x64 idiv never faults). */
static const int handled_signals[] = {SIGSEGV, SIGBUS, SIGILL};
#define NHANDLED (sizeof handled_signals / sizeof handled_signals[0])
static struct sigaction previous_actions[NHANDLED];
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
static bool handlers_ok;

static struct sigaction *previous_action(int sig) {
  for (size_t i = 0; i < NHANDLED; i++)
    if (handled_signals[i] == sig) return &previous_actions[i];
  return NULL;
}

static uintptr_t context_pc(const ucontext_t *uc) {
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.pc;
#else
  (void)uc;
  return 0;
#endif
}

static uintptr_t context_fp(const ucontext_t *uc) {
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.regs[29];
#else
  (void)uc;
  return 0;
#endif
}

/* General register number hw (as the JIT numbers it) in the context. */
static uint64_t context_gpr(const ucontext_t *uc, unsigned hw) {
#if defined(__x86_64__)
  static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX,
                                  REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                  REG_R8,  REG_R9,  REG_R10, REG_R11,
                                  REG_R12, REG_R13, REG_R14, REG_R15};
  return hw < 16 ? (uint64_t)uc->uc_mcontext.gregs[greg_of[hw]] : 0;
#elif defined(__aarch64__)
  return hw < 31 ? (uint64_t)uc->uc_mcontext.regs[hw] : 0;
#else
  (void)uc, (void)hw;
  return 0;
#endif
}

/* Not ours: hand the signal to whoever had it before. With the default
 * action, restore it and return, so the faulting instruction runs again and
 * the process dies as it would have without wrun. */
static void chain_signal(int sig, siginfo_t *info, void *uc) {
  struct sigaction *prev = previous_action(sig);
  if (prev && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
    prev->sa_sigaction(sig, info, uc);
    return;
  }
  if (prev && !(prev->sa_flags & SA_SIGINFO) && prev->sa_handler != SIG_DFL &&
      prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
    return;
  }
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  if (info->si_code <= 0) raise(sig); /* sent by kill(): will not recur */
}

/* The trap code of a fault at pc, or 0 when it is not a wasm trap. */
static uint8_t trap_code_for(int sig, uintptr_t pc,
                             const rt_code_region **region) {
  const rt_code_region *r = region_at(pc);
  *region = r;
  if (!r) return 0;
  uint8_t code = jit_code_trap_at(r->code, pc);
  if ((sig == SIGSEGV || sig == SIGBUS) && code != WRUN_TRAP_MEMORY_OOB)
    return 0;
  return code;
}

static void on_fault(int sig, siginfo_t *info, void *ucv) {
  int saved_errno = errno;
  ucontext_t *uc = ucv;
  uintptr_t pc = context_pc(uc);
  const rt_code_region *region = NULL;
  uint8_t code = current_entry ? trap_code_for(sig, pc, &region) : 0;
  if (!code) {
    chain_signal(sig, info, ucv);
    errno = saved_errno;
    return;
  }
  trap_record.code = code;
  trap_record.object = NULL;
  trap_record.has_fuel = region->code->fuel;
  if (trap_record.has_fuel)
    trap_record.fuel_left = context_gpr(uc, jit_host_target.fuel_reg);
  record_frames(pc, context_fp(uc));
  /* Leaving by siglongjmp skips the mask restore of a handler's return
   * (the entry's sigsetjmp saves no mask: a syscall per call saved), so
   * do it here, once per trap. Without SA_NODEFER's empty handler mask it
   * matters: ThreadSanitizer runs our handler with every signal blocked,
   * and the thread's next fault, arriving blocked, killed the process. */
  pthread_sigmask(SIG_SETMASK, &uc->uc_sigmask, NULL);
  siglongjmp(current_entry->jmp, 1);
}

static void install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  /* NODEFER: the signal is not blocked while the handler runs (on_fault
   * also restores the interrupted context's mask before its siglongjmp,
   * for wrappers such as ThreadSanitizer's that block more). */
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  handlers_ok = true;
  for (size_t i = 0; i < NHANDLED; i++)
    if (sigaction(handled_signals[i], &sa, &previous_actions[i]) != 0)
      handlers_ok = false;
}

#define RT_ALTSTACK_SIZE (64 * 1024)

/* The alternate stack is allocated once per thread and kept for the
 * thread's life (a thread that ran wasm may take a signal at any time).
 * A thread that ends frees the one we gave it (the key's destructor):
 * wasi-threads programs may start and end thousands of threads. */
static pthread_key_t altstack_key;
static bool altstack_key_ok;
static pthread_once_t altstack_key_once = PTHREAD_ONCE_INIT;

static void release_altstack(void *mem) {
  stack_t ss = {.ss_flags = SS_DISABLE};
  sigaltstack(&ss, NULL);
  free(mem);
}

static void make_altstack_key(void) {
  altstack_key_ok = pthread_key_create(&altstack_key, release_altstack) == 0;
}

static bool setup_altstack(void) {
  stack_t current;
  if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
      current.ss_size >= 16 * 1024)
    return true; /* the host already gave this thread one */
  size_t size = RT_ALTSTACK_SIZE;
  if (size < (size_t)SIGSTKSZ) size = SIGSTKSZ;
  stack_t ss;
  ss.ss_sp = malloc(size);
  if (!ss.ss_sp) return false;
  ss.ss_size = size;
  ss.ss_flags = 0;
  if (sigaltstack(&ss, NULL) != 0) {
    free(ss.ss_sp);
    return false;
  }
  pthread_once(&altstack_key_once, make_altstack_key);
  if (altstack_key_ok) pthread_setspecific(altstack_key, ss.ss_sp);
  return true;
}

bool rt_trap_setup_thread(bool signals) {
  if (signals && !thread_signals_ready) {
    pthread_once(&handlers_once, install_handlers);
    if (!handlers_ok || !setup_altstack()) return false;
    thread_signals_ready = true;
  }
  if (thread_ready) return true;
  uintptr_t low, high;
  rt_thread_stack_bounds(&low, &high);
  /* Touch the thread-local trap state now, so the handler never makes the
   * first access (which may allocate in a dynamically loaded library). */
  trap_record.nframes = 0;
  current_entry = NULL;
  thread_ready = true;
  return true;
}
