/* Instantiation (Wasm 2.0 order): check and bind imports, allocate the
 * vmctx, create memories, tables and globals, apply the element segments
 * then the data segments in order, run the start function.
 *
 * The instance joins its store as soon as its vmctx exists: if a segment or
 * the start function traps, the writes already made to imported tables may
 * hold references to this instance's functions, which must stay callable
 * (linking.wast), so the store keeps the half-initialised instance alive.
 */
#include "runtime.h"

#include "gc.h"

#include "instr.h"

#include <stdlib.h>
#include <string.h>

void rt_instance_free(rt_instance *inst) {
  if (!inst) return;
  if (inst->elems)
    for (uint32_t i = 0; i < inst->m->nelems; i++) free(inst->elems[i].items);
  free(inst->elems);
  free(inst->data_dropped);
  free(inst->globals);
  free(inst->tags);
  free(inst->tables);
  free(inst->memories);
  free(inst->vmctx);
  rt_module_release(inst->module);
  free(inst);
}

/* ---- exports ----------------------------------------------------------------- */

static void export_extern(const rt_instance *inst, const rt_export *e,
                          wrun_extern *out) {
  out->kind = (wrun_externkind)e->kind;
  switch (e->kind) {
  case WRUN_EXTERN_FUNC:
    out->of.func = (wrun_func *)rt_instance_func(inst, e->index);
    break;
  case WRUN_EXTERN_TABLE:
    out->of.table = (wrun_table *)inst->tables[e->index];
    break;
  case WRUN_EXTERN_MEMORY:
    out->of.memory = (wrun_memory *)inst->memories[e->index];
    break;
  case WRUN_EXTERN_TAG:
    out->of.tag = inst->tags[e->index];
    break;
  default:
    out->of.global = &inst->globals[e->index];
    break;
  }
}

static bool name_equals(const rt_export *e, const char *name, size_t len) {
  return e->name_len == len && memcmp(e->name, name, len) == 0;
}

bool wrun_instance_export_n(const wrun_instance *inst, const char *name,
                            size_t len, wrun_extern *out) {
  if (!name && len) return false;
  for (uint32_t i = 0; i < inst->m->nexports; i++) {
    const rt_export *e = &inst->m->exports[i];
    if (name_equals(e, name, len)) {
      export_extern(inst, e, out);
      return true;
    }
  }
  return false;
}

/* A C string names only exports without embedded NULs: lengths must agree,
 * so "" never finds "\0a". */
bool rt_instance_find_export(const rt_instance *inst, const char *name,
                             wrun_extern *out) {
  return name && wrun_instance_export_n(inst, name, strlen(name), out);
}

bool wrun_instance_export(const wrun_instance *inst, const char *name,
                          wrun_extern *out) {
  return rt_instance_find_export(inst, name, out);
}

size_t wrun_instance_export_count(const wrun_instance *inst) {
  return inst->m->nexports;
}

const char *wrun_instance_export_name_n(const wrun_instance *inst, size_t i,
                                        size_t *len) {
  if (i >= inst->m->nexports) return NULL;
  const rt_export *e = &inst->m->exports[i];
  if (len) *len = e->name_len;
  return e->name;
}

const char *wrun_instance_export_name(const wrun_instance *inst, size_t i) {
  return wrun_instance_export_name_n(inst, i, NULL);
}

/* ---- allocation --------------------------------------------------------------- */

static rt_instance *instance_alloc(wrun_store *s, const wrun_module *mod) {
  const rt_module *m = mod->m;
  rt_instance *inst = calloc(1, sizeof *inst);
  if (!inst) return NULL;
  inst->store = s;
  inst->module = (wrun_module *)mod;
  rt_module_retain(inst->module);
  inst->m = m;
  inst->layout = rt_vmctx_layout_of(m);
  size_t size = (inst->layout.size + 15u) & ~(size_t)15;
  inst->vmctx = aligned_alloc(16, size);
  inst->memories = calloc(m->nmemories + 1, sizeof *inst->memories);
  inst->tables = calloc(m->ntables + 1, sizeof *inst->tables);
  inst->globals = calloc(m->nglobals + 1, sizeof *inst->globals);
  inst->elems = calloc(m->nelems + 1, sizeof *inst->elems);
  inst->data_dropped = calloc(m->ndatas + 1, sizeof *inst->data_dropped);
  inst->tags = calloc(m->ntags + 1, sizeof *inst->tags);
  if (!inst->vmctx || !inst->memories || !inst->tables || !inst->globals ||
      !inst->elems || !inst->data_dropped || !inst->tags) {
    rt_instance_free(inst);
    return NULL;
  }
  memset(inst->vmctx, 0, size);
  rt_vmctx_header *header = (rt_vmctx_header *)inst->vmctx;
  header->magic = RT_MAGIC_INSTANCE;
  header->instance = inst;
  header->fuel = &s->fuel;
  rt_store_link_instance(s, inst);
  s->ninstances++;
  return inst;
}

static rt_vmctx_table *table_slot(rt_instance *inst, uint32_t i) {
  return (rt_vmctx_table *)(inst->vmctx +
                            rt_vmctx_table_off(&inst->layout, i));
}

static rt_global_cell *global_slot(rt_instance *inst, uint32_t i) {
  return (rt_global_cell *)(inst->vmctx +
                            rt_vmctx_global_off(&inst->layout, i));
}

/* ---- imports ----------------------------------------------------------------- */

/* Binds the checked imports into the vmctx: function records are copied,
 * the rest is pointed to. */
static void bind_imports(rt_instance *inst, const wrun_extern *imports) {
  const rt_module *m = inst->m;
  uint32_t nf = 0, nt = 0, nm = 0, ng = 0, ntag = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wrun_extern *ext = &imports[i];
    switch (m->imports[i].kind) {
    case WRUN_EXTERN_TAG: /* the exporter's tag: the same identity */
      inst->tags[ntag++] = ext->of.tag;
      break;
    case WRUN_EXTERN_FUNC:
      *rt_instance_func(inst, nf++) = *(const rt_funcref *)ext->of.func;
      break;
    case WRUN_EXTERN_TABLE:
      inst->tables[nt++] = (rt_table *)ext->of.table; /* slot: below */
      break;
    case WRUN_EXTERN_MEMORY:
      inst->memories[nm] = (rt_memory *)ext->of.memory;
      /* another store's shared memory: this store keeps it alive (the
       * reference survives out of memory: the maker or another user
       * holds one, as the import came through a live store) */
      if (inst->memories[nm]->store != inst->store)
        (void)rt_memory_share(inst->store, inst->memories[nm]);
      nm++;
      break;
    default:
      inst->globals[ng] = *ext->of.global;
      inst->globals[ng].cell = ext->of.global->cell;
      inst->globals[ng].store = inst->store;
      *(rt_global_cell **)global_slot(inst, ng) = ext->of.global->cell;
      ng++;
      break;
    }
  }
}

/* ---- definitions -------------------------------------------------------------- */

static void define_funcs(rt_instance *inst) {
  const rt_module *m = inst->m;
  const jit_code *code = &inst->module->code;
  for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
    uint32_t type_index = m->funcs[i].type_index;
    rt_funcref *f = rt_instance_func(inst, i);
    f->wasm_call = code->mem + code->func_offsets[i - m->nimported_funcs];
    f->array_call = code->entry_offsets ? code->mem + code->entry_offsets[type_index]
                                        : NULL;
    f->type_id = m->types[type_index].id;
    f->func_index = i;
    f->ctx = inst->vmctx;
  }
}

static wrun_error *define_memories(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t i = m->nimported_memories; i < m->nmemories; i++) {
    const rt_limits *l = &m->memories[i];
    wrun_error *err = NULL;
    inst->memories[i] = rt_memory_new(inst->store, l->min, l->max, l->has_max,
                                      l->is64, &err);
    if (!inst->memories[i]) return err;
    inst->memories[i]->shared = l->shared;
  }
  for (uint32_t i = 0; i < m->nmemories; i++) {
    rt_vmctx_memory *slot =
        (rt_vmctx_memory *)(inst->vmctx +
                            rt_vmctx_memory_off(&inst->layout, i));
    slot->base = inst->memories[i]->base;
    slot->memory = inst->memories[i];
  }
  if (m->nmemories > 0) {
    rt_vmctx_header *header = (rt_vmctx_header *)inst->vmctx;
    header->memory0_base = inst->memories[0]->base;
    header->memory0 = inst->memories[0];
  }
  return NULL;
}

static wrun_error *define_tables(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
    const rt_tabletype *t = &m->tables[i];
    wrun_error *err = NULL;
    inst->tables[i] = rt_table_new(inst->store, rt_vt_canon(m, t->elem),
                                   t->limits.min,
                                   t->limits.max, t->limits.has_max,
                                   t->limits.is64, NULL,
                                   &err);
    if (!inst->tables[i]) return err;
  }
  /* every slot, imports' too, a view of its table */
  for (uint32_t i = 0; i < m->ntables; i++)
    if (!rt_table_add_view(inst->tables[i], table_slot(inst, i)))
      return rt_error_new(RT_NO_OFFSET, "out of memory");
  return NULL;
}

/* The value of one validated constant instruction (not an operator). */
static void eval_const_instr(rt_instance *inst, uint8_t kind, rt_valtype type,
                             uint32_t index, const uint64_t value[2],
                             rt_global_cell *out) {
  memset(out, 0, sizeof *out);
  switch (kind) {
  case RT_CONST_VALUE:
    out->value[0] = value[0];
    out->value[1] = type == VT_V128 ? value[1] : 0;
    if (type == VT_I32 || type == VT_F32) out->value[0] &= 0xffffffffu;
    break;
  case RT_CONST_GLOBAL:
    if (index < inst->m->nglobals) *out = *inst->globals[index].cell;
    break;
  case RT_CONST_FUNC:
    if (index < inst->m->nfuncs)
      out->value[0] = (uintptr_t)rt_instance_func(inst, index);
    break;
  default: /* RT_CONST_NULL */
    break;
  }
}

/* i32 and i64 add, sub and mul wrap around: unsigned arithmetic in the
 * operand's width, an i32 kept zero-extended like every i32 cell. */
static uint64_t eval_binop(uint16_t op, uint64_t a, uint64_t b) {
  switch (op) {
  case OP_I32_ADD: return (uint32_t)((uint32_t)a + (uint32_t)b);
  case OP_I32_SUB: return (uint32_t)((uint32_t)a - (uint32_t)b);
  case OP_I32_MUL: return (uint32_t)((uint32_t)a * (uint32_t)b);
  case OP_I64_ADD: return a + b;
  case OP_I64_SUB: return a - b;
  default: return a * b; /* OP_I64_MUL: the reader admits nothing else */
  }
}

static uint8_t const_kind_of(uint16_t op) {
  switch (op) {
  case OP_GLOBAL_GET: return RT_CONST_GLOBAL;
  case OP_REF_FUNC: return RT_CONST_FUNC;
  case OP_REF_NULL: return RT_CONST_NULL;
  default: return RT_CONST_VALUE;
  }
}

/* Runs a validated program on `stack` (max_depth cells); false when a GC
 * allocation does not fit the store's heap. */
static bool run_const_program(rt_instance *inst, const rt_constexpr *e,
                              rt_global_cell *stack) {
  uint32_t depth = 0;
  for (uint32_t i = 0; i < e->nops; i++) {
    const rt_const_op *c = &e->ops[i];
    switch (c->op) {
    case OP_I32_ADD: case OP_I32_SUB: case OP_I32_MUL:
    case OP_I64_ADD: case OP_I64_SUB: case OP_I64_MUL:
      depth--;
      stack[depth - 1].value[0] = eval_binop(c->op, stack[depth - 1].value[0],
                                             stack[depth].value[0]);
      break;
    case OP_REF_I31: /* the i31 encoding: (value << 1) | 1, as codegen_gc.c */
      stack[depth - 1].value[0] =
          (uint32_t)((uint32_t)stack[depth - 1].value[0] << 1 | 1u);
      break;
    case OP_ANY_CONVERT_EXTERN: case OP_EXTERN_CONVERT_ANY:
      break; /* one representation (gc.h) */
    case OP_STRUCT_NEW: case OP_STRUCT_NEW_DEFAULT: case OP_ARRAY_NEW:
    case OP_ARRAY_NEW_DEFAULT: case OP_ARRAY_NEW_FIXED:
      if (!rt_const_gc_new(inst, c, stack, &depth)) return false;
      break;
    default:
      eval_const_instr(inst, const_kind_of(c->op), c->type, c->index,
                       c->value, &stack[depth++]);
      break;
    }
  }
  return true;
}

/* Evaluates a validated constant expression into a 16-byte cell; false
 * when a long program's stack cannot be allocated. */
static bool eval_const(rt_instance *inst, const rt_constexpr *e,
                       rt_global_cell *out) {
  if (e->kind != RT_CONST_PROGRAM) {
    eval_const_instr(inst, e->kind, e->type, e->index, e->value, out);
    return true;
  }
  /* Zeroed so that no path, even one the validator excludes, reads
   * uninitialised cells. */
  rt_global_cell small[8] = {{{0, 0}}};
  rt_global_cell *stack = small;
  if (e->max_depth > 8 && !(stack = calloc(e->max_depth, sizeof *stack)))
    return false;
  bool ok = run_const_program(inst, e, stack);
  *out = stack[0];
  if (stack != small) free(stack);
  return ok;
}

/* In index order: an initializer may read the globals defined before it. */
static bool define_globals(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
    rt_global_cell *cell = global_slot(inst, i);
    if (!eval_const(inst, &m->globals[i].init, cell)) return false;
    inst->globals[i].cell = cell;
    inst->globals[i].type = m->globals[i].type;
    inst->globals[i].type.type = rt_vt_canon(m, m->globals[i].type.type);
    inst->globals[i].store = inst->store;
  }
  return true;
}

/* Tables with an initializer (Wasm 3.0) start with its value in every
 * element; it may read any global, so this follows define_globals. */
static bool init_tables(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
    const rt_constexpr *e = &m->table_inits[i - m->nimported_tables];
    if (e->kind == RT_CONST_NULL) continue;
    rt_global_cell cell;
    if (!eval_const(inst, e, &cell)) return false;
    rt_table *t = inst->tables[i];
    for (uint32_t k = 0; k < t->size; k++)
      t->elems[k] = (void *)(uintptr_t)cell.value[0];
  }
  return true;
}

/* Every segment's items are evaluated up front: passive segments keep them
 * for table.init, active ones are applied then dropped. */
static bool evaluate_elem_items(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t s = 0; s < m->nelems; s++) {
    const rt_elem *seg = &m->elems[s];
    if (seg->mode == RT_SEG_DECLARATIVE || seg->count == 0) continue;
    void **items = calloc(seg->count, sizeof *items);
    if (!items) return false;
    inst->elems[s].items = items;
    inst->elems[s].count = seg->count;
    for (uint32_t i = 0; i < seg->count; i++) {
      rt_global_cell cell;
      if (!eval_const(inst, &seg->items[i], &cell)) return false;
      items[i] = (void *)(uintptr_t)cell.value[0];
    }
  }
  return true;
}

static void drop_elem(rt_instance *inst, uint32_t s) {
  free(inst->elems[s].items);
  inst->elems[s].items = NULL;
  inst->elems[s].count = 0;
}

/* ---- segments and start --------------------------------------------------------- */

/* An i32 offset (an i64 one for a 64-bit memory or table); false when its
 * program could not run (out of memory). */
static bool eval_offset(rt_instance *inst, const rt_constexpr *e,
                        uint64_t *offset) {
  rt_global_cell cell;
  if (!eval_const(inst, e, &cell)) return false;
  *offset = e->type == VT_I64 ? cell.value[0] : (uint32_t)cell.value[0];
  return true;
}

static wrun_trap *apply_elems(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t s = 0; s < m->nelems; s++) {
    const rt_elem *seg = &m->elems[s];
    if (seg->mode != RT_SEG_ACTIVE) {
      if (seg->mode == RT_SEG_DECLARATIVE) drop_elem(inst, s);
      continue;
    }
    rt_table *t = inst->tables[seg->table];
    uint64_t offset;
    if (!eval_offset(inst, &seg->offset, &offset))
      return rt_trap_newf("out of memory");
    /* a table64's offset may be any u64: compare without overflowing */
    if (seg->count > t->size || offset > t->size - seg->count)
      return rt_trap_new_code(WRUN_TRAP_TABLE_OOB);
    if (seg->count)
      memcpy(t->elems + offset, inst->elems[s].items,
             (size_t)seg->count * sizeof(void *));
    drop_elem(inst, s);
  }
  return NULL;
}

static wrun_trap *apply_datas(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t s = 0; s < m->ndatas; s++) {
    const rt_data *seg = &m->datas[s];
    if (seg->mode != RT_SEG_ACTIVE) continue;
    rt_memory *mem = inst->memories[seg->memory];
    uint64_t offset;
    if (!eval_offset(inst, &seg->offset, &offset))
      return rt_trap_newf("out of memory");
    /* offset may be any u64: compare without overflowing */
    if (seg->len > mem->size || offset > mem->size - seg->len)
      return rt_trap_new_code(WRUN_TRAP_MEMORY_OOB);
    if (seg->len) memcpy(mem->base + offset, seg->bytes, seg->len);
    inst->data_dropped[s] = true;
  }
  return NULL;
}

static wrun_trap *run_start(rt_instance *inst) {
  if (!inst->m->has_start) return NULL;
  const rt_funcref *f = rt_instance_func(inst, inst->m->start);
  return wrun_func_call(inst->store, (const wrun_func *)f, NULL, 0, NULL, 0);
}

/* ---- instantiation ---------------------------------------------------------------- */

static wrun_error *check_imports(const wrun_store *s, const rt_module *m,
                                 const wrun_extern *imports, size_t nimports) {
  if (nimports != m->nimports)
    return rt_error_new(RT_NO_OFFSET, "expected %u imports, got %zu",
                        (unsigned)m->nimports, nimports);
  for (uint32_t i = 0; i < m->nimports; i++) {
    const rt_import *imp = &m->imports[i];
    wrun_error *err = rt_check_import(m, imp, &imports[i]);
    if (err) return err;
    if (!rt_extern_in_store(&imports[i], s))
      return rt_error_new(RT_NO_OFFSET,
                          "import `%s`.`%s` belongs to another store",
                          imp->module, imp->name);
  }
  return NULL;
}

/* The module's code must be able to address the store's memories and the
 * imported ones: code that checks no address needs the guarded 8 GiB
 * reservations, code that checks needs at least the guard it was
 * compiled for past each memory's size. */
static wrun_error *check_memory_strategy(const wrun_store *s,
                                         const wrun_module *mod,
                                         const wrun_extern *imports) {
  rt_memory_strategy st = rt_store_memory_strategy(s);
  bool no_signals = s->engine && s->engine->config.no_signals;
  if (no_signals != mod->no_signals)
    return rt_error_new(RT_NO_OFFSET,
                        "module compiled with signals-based traps %s, the "
                        "store's engine has them %s",
                        mod->no_signals ? "off" : "on",
                        no_signals ? "off" : "on");
  if (st.checks != mod->bounds_checks ||
      (st.checks && st.guard != mod->memory_guard))
    return rt_error_new(RT_NO_OFFSET,
                        "module compiled for another memory configuration "
                        "(bounds checks, guard size) than the store's engine");
  const rt_module *m = mod->m;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const rt_import *imp = &m->imports[i];
    if (imp->kind != WRUN_EXTERN_MEMORY) continue;
    const rt_memory *mem = (const rt_memory *)imports[i].of.memory;
    const rt_limits *l = &imp->desc.memory;
    bool code_checks = mod->bounds_checks ||
                       rt_memory_checks_size(l->is64, l->max, l->has_max);
    uint64_t needs = mod->bounds_checks ? mod->memory_guard
                                        : RT_MEMORY_GUARD_BYTES;
    if ((mem->checks && !code_checks) || mem->guard < needs)
      return rt_error_new(RT_NO_OFFSET,
                          "import `%s`.`%s`: a memory reserved for another "
                          "memory configuration (bounds checks, guard size)",
                          imp->module, imp->name);
  }
  return NULL;
}

/* Each instance makes its own tags: a tag's identity is per instance, so
 * two instances of one module throw exceptions the other cannot catch by
 * tag (only through imports and exports). */
static wrun_error *define_tags(rt_instance *inst) {
  const rt_module *m = inst->m;
  for (uint32_t i = m->nimported_tags; i < m->ntags; i++) {
    inst->tags[i] = rt_tag_new(inst->store, m->types[m->tags[i]].id);
    if (!inst->tags[i]) return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  return NULL;
}

static wrun_error *define_all(rt_instance *inst) {
  define_funcs(inst);
  wrun_error *err = define_memories(inst);
  if (!err) err = define_tables(inst);
  if (!err) err = define_tags(inst);
  if (err) return err;
  /* Constant expressions hold the objects they make on their own stack,
   * which no root scan sees: no collection while they run. */
  rt_gc_inhibit(inst->store, true);
  bool ok = define_globals(inst) && init_tables(inst) &&
            evaluate_elem_items(inst);
  rt_gc_inhibit(inst->store, false);
  if (!ok) return rt_error_new(RT_NO_OFFSET, "out of memory");
  return NULL;
}

void wrun_instance_new(wrun_store *store, const wrun_module *mod,
                       const wrun_extern *imports, size_t nimports,
                       wrun_instance **out, wrun_error **error,
                       wrun_trap **trap) {
  *out = NULL;
  if (error) *error = NULL;
  if (trap) *trap = NULL;
  wrun_error *err = store ? check_imports(store, mod->m, imports, nimports)
                          : rt_error_new(RT_NO_OFFSET, "no store given");
  /* All limits at once, before anything is allocated: a module asking for
   * 10,000 huge tables is refused without making the first one. */
  if (!err) err = check_memory_strategy(store, mod, imports);
  if (!err) err = rt_fuel_check_module(store, mod);
  if (!err) err = rt_limits_admit_instance(store, mod->m);
  rt_instance *inst = NULL;
  if (!err) {
    inst = instance_alloc(store, mod);
    if (!inst) err = rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  if (!err) {
    bind_imports(inst, imports);
    err = define_all(inst);
  }
  if (err) {
    if (error) *error = err;
    else wrun_error_delete(err);
    return;
  }
  wrun_trap *t = apply_elems(inst);
  if (!t) t = apply_datas(inst);
  if (!t) t = run_start(inst);
  if (t) {
    if (trap) *trap = t;
    else wrun_trap_delete(t);
    return;
  }
  *out = inst;
}
