/* The GDB JIT interface (gdb's manual, "JIT Compilation Interface"): with
 * wrun_config_debug_info (`wrun -g`), every module compiled or loaded is
 * described to a debugger by an in-memory ELF object holding one symbol
 * per function (module!name, as in backtraces) and per entry trampoline,
 * over a .text section (no bytes: SHT_NOBITS) placed at the code's
 * address. gdb puts a breakpoint on __jit_debug_register_code and reads
 * the list at __jit_debug_descriptor when it is hit; then `bt` names wasm
 * frames and `break hot_loop` stops in wasm code. Entries stay registered
 * until the module's code is freed (rt_gdb_jit_unregister). No line table
 * yet: frames show names, not source lines. */
#include "runtime.h"

#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum { SEC_NULL, SEC_TEXT, SEC_SYMTAB, SEC_STRTAB, SEC_SHSTRTAB, NSECTIONS };
static const char shstrtab[] = "\0.text\0.symtab\0.strtab\0.shstrtab";
enum { NAME_TEXT = 1, NAME_SYMTAB = 7, NAME_STRTAB = 15, NAME_SHSTRTAB = 23 };

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

static char *build_image(const jit_code *c, const rt_module *m,
                         size_t *size) {
  uint32_t nsyms = 1 + c->nfuncs + c->ntypes;
  Elf64_Sym *syms = calloc(nsyms, sizeof *syms);
  strtab names = {0};
  str_add(&names, "");
  if (!syms) return NULL;
  uint32_t k = 1;
  uint32_t first = c->nfuncs ? c->func_offsets[0] : (uint32_t)c->size;
  for (uint32_t t = 0; t < c->ntypes; t++, k++) {
    uint32_t end = t + 1 < c->ntypes ? c->entry_offsets[t + 1] : first;
    char s[48];
    snprintf(s, sizeof s, "wrun!entry-trampoline[type %u]", t);
    syms[k].st_name = str_add(&names, s);
    syms[k].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    syms[k].st_shndx = SEC_TEXT;
    syms[k].st_value = c->entry_offsets[t];
    syms[k].st_size = end > c->entry_offsets[t] ? end - c->entry_offsets[t]
                                                : 0;
  }
  for (uint32_t i = 0; i < c->nfuncs; i++, k++) {
    uint32_t end = i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                     : (uint32_t)c->size;
    syms[k].st_name = func_symbol(&names, m, m->nimported_funcs + i);
    syms[k].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    syms[k].st_shndx = SEC_TEXT;
    syms[k].st_value = c->func_offsets[i];
    syms[k].st_size = end - c->func_offsets[i];
  }
  if (names.failed) {
    free(syms);
    free(names.data);
    return NULL;
  }
  /* header, section headers, symbols, names, section names */
  size_t shoff = sizeof(Elf64_Ehdr);
  size_t symoff = shoff + NSECTIONS * sizeof(Elf64_Shdr);
  size_t stroff = symoff + nsyms * sizeof(Elf64_Sym);
  size_t shstroff = stroff + names.size;
  size_t total = shstroff + sizeof shstrtab;
  char *image = calloc(1, total);
  if (!image) {
    free(syms);
    free(names.data);
    return NULL;
  }
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
  h->e_shnum = NSECTIONS;
  h->e_shstrndx = SEC_SHSTRTAB;
  Elf64_Shdr *sh = (Elf64_Shdr *)(image + shoff);
  sh[SEC_TEXT] = (Elf64_Shdr){.sh_name = NAME_TEXT, .sh_type = SHT_NOBITS,
                              .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
                              .sh_addr = (uint64_t)(uintptr_t)c->mem,
                              .sh_size = c->size, .sh_addralign = 16};
  sh[SEC_SYMTAB] = (Elf64_Shdr){.sh_name = NAME_SYMTAB, .sh_type = SHT_SYMTAB,
                                .sh_offset = symoff,
                                .sh_size = nsyms * sizeof(Elf64_Sym),
                                .sh_link = SEC_STRTAB, .sh_info = 1,
                                .sh_addralign = 8,
                                .sh_entsize = sizeof(Elf64_Sym)};
  sh[SEC_STRTAB] = (Elf64_Shdr){.sh_name = NAME_STRTAB, .sh_type = SHT_STRTAB,
                                .sh_offset = stroff, .sh_size = names.size,
                                .sh_addralign = 1};
  sh[SEC_SHSTRTAB] = (Elf64_Shdr){.sh_name = NAME_SHSTRTAB,
                                  .sh_type = SHT_STRTAB,
                                  .sh_offset = shstroff,
                                  .sh_size = sizeof shstrtab,
                                  .sh_addralign = 1};
  memcpy(image + symoff, syms, nsyms * sizeof(Elf64_Sym));
  memcpy(image + stroff, names.data, names.size);
  memcpy(image + shstroff, shstrtab, sizeof shstrtab);
  free(syms);
  free(names.data);
  *size = total;
  return image;
}

/* ---- registration ------------------------------------------------------- */

void *rt_gdb_jit_register(const jit_code *c, const rt_module *m) {
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
