/* The GDB JIT interface (gdb's manual, "JIT Compilation Interface"): with
 * wrun_config_debug_info (`wrun -g`), every module compiled or loaded is
 * described to a debugger by an in-memory ELF object holding one symbol
 * per function (module!name, as in backtraces) and per entry trampoline,
 * over a .text section (no bytes: SHT_NOBITS) placed at the code's
 * address. gdb puts a breakpoint on __jit_debug_register_code and reads
 * the list at __jit_debug_descriptor when it is hit; then `bt` names wasm
 * frames and `break hot_loop` stops in wasm code. A module with a DWARF
 * line table (clang -g) also gets DWARF sections mapping its code to
 * source lines (gdb_jit_dwarf.c): `bt` says `at file.c:LINE`, `break
 * file.c:LINE` works. Entries stay registered until the module's code is
 * freed (rt_gdb_jit_unregister). */
#include "runtime.h"

#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_jit_dwarf.h"

/* The protocol's structures and names, which gdb looks up by symbol. */
typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
  struct jit_code_entry *next_entry, *prev_entry;
  const char *symfile_addr;
  uint64_t symfile_size;
};

struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;
  struct jit_code_entry *relevant_entry, *first_entry;
};

/* Not static and not inlined: gdb sets its breakpoint here. The asm keeps
 * the call from being optimised away. */
void __attribute__((noinline, used)) __jit_debug_register_code(void);
void __attribute__((noinline, used)) __jit_debug_register_code(void) {
  __asm__ volatile("" ::: "memory");
}
struct jit_descriptor __jit_debug_descriptor __attribute__((used)) = {
    1, JIT_NOACTION, NULL, NULL};

static pthread_mutex_t gdb_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the ELF image ------------------------------------------------------ */

/* The sections, the DWARF ones only for a module with a line table. */
enum {
  SEC_NULL, SEC_TEXT, SEC_SYMTAB, SEC_STRTAB, SEC_SHSTRTAB,
  SEC_DEBUG_ABBREV, SEC_DEBUG_INFO, SEC_DEBUG_LINE, NSECTIONS
};
static const char shstrtab[] = "\0.text\0.symtab\0.strtab\0.shstrtab"
                               "\0.debug_abbrev\0.debug_info\0.debug_line";
enum {
  NAME_TEXT = 1, NAME_SYMTAB = 7, NAME_STRTAB = 15, NAME_SHSTRTAB = 23,
  NAME_DEBUG_ABBREV = 33, NAME_DEBUG_INFO = 47, NAME_DEBUG_LINE = 59
};

/* A growing string table. */
typedef struct strtab {
  char *data;
  size_t size, cap;
  bool failed;
} strtab;

static uint32_t str_add(strtab *t, const char *s) {
  size_t n = strlen(s) + 1;
  if (t->size + n > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 4096;
    while (cap < t->size + n) cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d) {
      t->failed = true;
      return 0;
    }
    t->data = d;
    t->cap = cap;
  }
  memcpy(t->data + t->size, s, n);
  uint32_t at = (uint32_t)t->size;
  t->size += n;
  return at;
}

/* Function symbol names: module!name, module!func[N] without a name. */
static uint32_t func_symbol(strtab *t, const rt_module *m, uint32_t func) {
  const char *mod = m->module_name ? m->module_name : "wasm";
  const char *name = m->func_names ? m->func_names[func] : NULL;
  size_t n = strlen(mod) + (name ? strlen(name) : 16) + 8;
  char *s = malloc(n);
  if (!s) {
    t->failed = true;
    return 0;
  }
  if (name)
    snprintf(s, n, "%s!%s", mod, name);
  else
    snprintf(s, n, "%s!func[%u]", mod, func);
  uint32_t at = str_add(t, s);
  free(s);
  return at;
}

/* The symbols: the entry trampolines, then the functions. */
static Elf64_Sym *make_symbols(const jit_code *c, const rt_module *m,
                               strtab *names, uint32_t *count) {
  uint32_t nsyms = 1 + c->nfuncs + c->ntypes;
  Elf64_Sym *syms = calloc(nsyms, sizeof *syms);
  str_add(names, "");
  if (!syms) return NULL;
  uint32_t k = 1;
  uint32_t first = c->nfuncs ? c->func_offsets[0] : (uint32_t)c->size;
  for (uint32_t t = 0; t < c->ntypes; t++, k++) {
    uint32_t end = t + 1 < c->ntypes ? c->entry_offsets[t + 1] : first;
    char s[48];
    snprintf(s, sizeof s, "wrun!entry-trampoline[type %u]", t);
    syms[k].st_name = str_add(names, s);
    syms[k].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    syms[k].st_shndx = SEC_TEXT;
    syms[k].st_value = c->entry_offsets[t];
    syms[k].st_size = end > c->entry_offsets[t] ? end - c->entry_offsets[t]
                                                : 0;
  }
  for (uint32_t i = 0; i < c->nfuncs; i++, k++) {
    uint32_t end = i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                     : (uint32_t)c->size;
    syms[k].st_name = func_symbol(names, m, m->nimported_funcs + i);
    syms[k].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    syms[k].st_shndx = SEC_TEXT;
    /* from the call entry: gdb finds the frame set-up (push rbp; mov rbp,
     * rsp) by reading from a function's start, and stops at the first
     * instruction it does not know: the pinned registers' set-up before
     * the call entry would hide the frame from its unwinder */
    syms[k].st_value = c->call_offsets[i];
    syms[k].st_size = end - c->call_offsets[i];
  }
  *count = nsyms;
  return syms;
}

/* A section's header and the bytes it holds in the image. */
typedef struct section {
  Elf64_Shdr h;
  const void *data;
} section;

static char *build_image(const jit_code *c, rt_module *m, size_t *size) {
  strtab names = {0};
  uint32_t nsyms = 0;
  Elf64_Sym *syms = make_symbols(c, m, &names, &nsyms);
  rt_gdb_dwarf dwarf;
  bool lines = rt_gdb_dwarf_build(&dwarf, c, m);
  if (!syms || names.failed) {
    free(syms);
    free(names.data);
    rt_gdb_dwarf_free(&dwarf);
    return NULL;
  }
  section sec[NSECTIONS] = {{{0}, NULL}};
  sec[SEC_TEXT].h = (Elf64_Shdr){.sh_name = NAME_TEXT, .sh_type = SHT_NOBITS,
                                 .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
                                 .sh_addr = (uint64_t)(uintptr_t)c->mem,
                                 .sh_size = c->size, .sh_addralign = 16};
  sec[SEC_SYMTAB] = (section){
      {.sh_name = NAME_SYMTAB, .sh_type = SHT_SYMTAB,
       .sh_size = nsyms * sizeof(Elf64_Sym), .sh_link = SEC_STRTAB,
       .sh_info = 1, .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym)},
      syms};
  sec[SEC_STRTAB] = (section){{.sh_name = NAME_STRTAB, .sh_type = SHT_STRTAB,
                               .sh_size = names.size, .sh_addralign = 1},
                              names.data};
  sec[SEC_SHSTRTAB] = (section){{.sh_name = NAME_SHSTRTAB,
                                 .sh_type = SHT_STRTAB,
                                 .sh_size = sizeof shstrtab,
                                 .sh_addralign = 1},
                                shstrtab};
  const struct {
    uint32_t index, name;
    const rt_writer *w;
  } debug[] = {{SEC_DEBUG_ABBREV, NAME_DEBUG_ABBREV, &dwarf.abbrev},
               {SEC_DEBUG_INFO, NAME_DEBUG_INFO, &dwarf.info},
               {SEC_DEBUG_LINE, NAME_DEBUG_LINE, &dwarf.line}};
  for (size_t k = 0; lines && k < sizeof debug / sizeof debug[0]; k++)
    sec[debug[k].index] = (section){{.sh_name = debug[k].name,
                                     .sh_type = SHT_PROGBITS,
                                     .sh_size = debug[k].w->len,
                                     .sh_addralign = 1},
                                    debug[k].w->data};
  uint32_t nsections = lines ? NSECTIONS : SEC_SHSTRTAB + 1;

  /* header, section headers, then each section's bytes */
  size_t shoff = sizeof(Elf64_Ehdr);
  size_t total = shoff + nsections * sizeof(Elf64_Shdr);
  for (uint32_t k = 1; k < nsections; k++) {
    if (sec[k].h.sh_type == SHT_NOBITS) continue;
    total = (total + 7) & ~(size_t)7;
    sec[k].h.sh_offset = total;
    total += sec[k].h.sh_size;
  }
  char *image = calloc(1, total);
  if (image) {
    Elf64_Ehdr *h = (Elf64_Ehdr *)image;
    memcpy(h->e_ident, ELFMAG, SELFMAG);
    h->e_ident[EI_CLASS] = ELFCLASS64;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    h->e_type = ET_REL;
#if defined(__x86_64__)
    h->e_machine = EM_X86_64;
#elif defined(__aarch64__)
    h->e_machine = EM_AARCH64;
#endif
    h->e_version = EV_CURRENT;
    h->e_shoff = shoff;
    h->e_ehsize = sizeof(Elf64_Ehdr);
    h->e_shentsize = sizeof(Elf64_Shdr);
    h->e_shnum = (uint16_t)nsections;
    h->e_shstrndx = SEC_SHSTRTAB;
    Elf64_Shdr *sh = (Elf64_Shdr *)(image + shoff);
    for (uint32_t k = 1; k < nsections; k++) {
      sh[k] = sec[k].h;
      if (sec[k].data && sec[k].h.sh_size)
        memcpy(image + sec[k].h.sh_offset, sec[k].data, sec[k].h.sh_size);
    }
    *size = total;
  }
  free(syms);
  free(names.data);
  rt_gdb_dwarf_free(&dwarf);
  return image;
}

/* ---- registration ------------------------------------------------------- */

void *rt_gdb_jit_register(const jit_code *c, rt_module *m) {
  if (!c->mem) return NULL;
  struct jit_code_entry *e = calloc(1, sizeof *e);
  size_t size = 0;
  char *image = e ? build_image(c, m, &size) : NULL;
  if (!image) {
    free(e);
    return NULL; /* a debugging aid: the module works without it */
  }
  e->symfile_addr = image;
  e->symfile_size = size;
  pthread_mutex_lock(&gdb_lock);
  e->next_entry = __jit_debug_descriptor.first_entry;
  if (e->next_entry) e->next_entry->prev_entry = e;
  __jit_debug_descriptor.first_entry = e;
  __jit_debug_descriptor.relevant_entry = e;
  __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
  __jit_debug_register_code();
  pthread_mutex_unlock(&gdb_lock);
  return e;
}

void rt_gdb_jit_unregister(void *entry) {
  struct jit_code_entry *e = entry;
  if (!e) return;
  pthread_mutex_lock(&gdb_lock);
  if (e->prev_entry)
    e->prev_entry->next_entry = e->next_entry;
  else
    __jit_debug_descriptor.first_entry = e->next_entry;
  if (e->next_entry) e->next_entry->prev_entry = e->prev_entry;
  __jit_debug_descriptor.relevant_entry = e;
  __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
  __jit_debug_register_code();
  pthread_mutex_unlock(&gdb_lock);
  free((void *)e->symfile_addr);
  free(e);
}
