/* The native script parser: commands, modules and actions. Constants and
 * results: wast_script_values.c. See wast_script.h. */
#include "wast_script.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wast_parser.h"

/* ---- token helpers ---------------------------------------------------- */

bool wast_p_fail(wast_parser *p, const char *fmt, ...) {
  if (!p->err[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
  }
  return false;
}

void wast_p_advance(wast_parser *p) {
  if (p->tok.kind == WAST_TOK_LPAR) {
    p->depth++;
  } else if (p->tok.kind == WAST_TOK_RPAR) {
    if (p->depth > 0)
      p->depth--;
  } else if (p->tok.kind == WAST_TOK_EOF || p->tok.kind == WAST_TOK_ERROR) {
    return; /* nothing to consume: stay there */
  }
  if (p->depth > WAST_MAX_DEPTH) {
    /* As a lexical error: the lexer stops there for good. */
    snprintf(p->lx.error, sizeof p->lx.error, "line %u: nesting deeper than %d",
             p->tok.line, WAST_MAX_DEPTH);
    p->lx.end = p->lx.p;
    snprintf(p->err, sizeof p->err, "%s", p->lx.error);
    p->fatal = true;
    p->tok.kind = WAST_TOK_ERROR;
    return;
  }
  p->tok = wast_lex_next(&p->lx);
  if (p->tok.kind == WAST_TOK_ERROR) {
    /* The lexer's message replaces whatever the command was to say. */
    snprintf(p->err, sizeof p->err, "%s", p->lx.error);
    p->fatal = true;
  }
}

bool wast_p_expect(wast_parser *p, wast_tok_kind kind, const char *what) {
  if (p->tok.kind != kind)
    return wast_p_fail(p, "line %u: expected %s", p->tok.line, what);
  wast_p_advance(p);
  return true;
}

bool wast_p_at(const wast_parser *p, const char *word) {
  return wast_tok_is(&p->tok, word);
}

void wast_p_unsupported(wast_parser *p, const char *why) {
  if (!p->cmd->unsupported)
    p->cmd->unsupported = why;
}

static bool no_memory(wast_parser *p) {
  p->no_memory = true;
  return wast_p_fail(p, "out of memory");
}

/* A STRING token's decoded bytes into the arena. */
static bool read_string(wast_parser *p, wast_text *out, const char *what) {
  if (p->tok.kind != WAST_TOK_STRING)
    return wast_p_fail(p, "line %u: expected %s", p->tok.line, what);
  char *bytes = wast_cmds_alloc(p->cmds, p->tok.value_len + 1);
  if (!bytes)
    return no_memory(p);
  wast_lex_decode(&p->tok, (uint8_t *)bytes);
  out->bytes = bytes;
  out->len = p->tok.value_len;
  wast_p_advance(p);
  return true;
}

/* An optional $id: its name without the `$`. */
static bool read_opt_id(wast_parser *p, wast_text *out) {
  if (p->tok.kind != WAST_TOK_ID)
    return true;
  const wast_token *t = &p->tok;
  if (t->len >= 2 && t->text[1] == '"') {
    char *bytes = wast_cmds_alloc(p->cmds, t->value_len + 1);
    if (!bytes)
      return no_memory(p);
    wast_lex_decode(t, (uint8_t *)bytes);
    out->bytes = bytes;
    out->len = t->value_len;
  } else {
    *out = wast_cmds_text(p->cmds, t->text + 1, t->len - 1);
    if (!out->bytes)
      return no_memory(p);
  }
  wast_p_advance(p);
  return true;
}

/* ---- modules ------------------------------------------------------------ */

/* The strings of `binary`, concatenated, up to the closing `)` (not
 * consumed). */
static bool read_binary(wast_parser *p, wast_module *m) {
  size_t total = 0;
  /* Two passes would need the tokens twice; one growing buffer instead,
   * copied into the arena at the end. */
  size_t cap = 0;
  uint8_t *buf = NULL;
  while (p->tok.kind == WAST_TOK_STRING) {
    size_t n = p->tok.value_len;
    if (n > SIZE_MAX / 2 - total) {
      free(buf);
      return wast_p_fail(p, "module too large");
    }
    if (total + n > cap) {
      size_t want = cap ? cap : 4096;
      while (want < total + n)
        want *= 2;
      uint8_t *grown = realloc(buf, want);
      if (!grown) {
        free(buf);
        return no_memory(p);
      }
      buf = grown;
      cap = want;
    }
    if (n > 0) /* an empty string leaves buf NULL: nothing to write */
      wast_lex_decode(&p->tok, buf + total);
    total += n;
    wast_p_advance(p);
  }
  wast_text copy = wast_cmds_text(p->cmds, buf, total);
  free(buf);
  if (!copy.bytes)
    return no_memory(p);
  m->kind = WAST_MODULE_BINARY;
  m->bytes = (const uint8_t *)copy.bytes;
  m->len = total;
  return true;
}

/* A text-format module: remembered (the script must be converted), and
 * skipped up to its closing `)` (not consumed). */
static bool text_module(wast_parser *p, unsigned line) {
  if (!p->text_module) {
    p->text_module = true;
    p->text_line = line;
  }
  return wast_p_fail(p, "line %u: text-format module", line);
}

static bool skip_quote(wast_parser *p, wast_module *m) {
  while (p->tok.kind == WAST_TOK_STRING)
    wast_p_advance(p);
  m->kind = WAST_MODULE_TEXT;
  return true;
}

/* After `(` at `module`: the module forms, through the `)`. in_assertion:
 * a quoted module is then only skipped, not a reason to convert. */
static bool read_module(wast_parser *p, wast_module *m, bool in_assertion) {
  unsigned line = p->tok.line;
  wast_p_advance(p); /* module */
  if (wast_p_at(p, "instance")) {
    wast_p_advance(p);
    m->kind = WAST_MODULE_INSTANCE;
    if (!read_opt_id(p, &m->name) || !read_opt_id(p, &m->def))
      return false;
    return wast_p_expect(p, WAST_TOK_RPAR, "')' after module instance");
  }
  if (wast_p_at(p, "definition")) {
    wast_p_advance(p);
    m->definition = true;
  }
  if (!read_opt_id(p, &m->name))
    return false;
  bool ok;
  if (wast_p_at(p, "binary")) {
    wast_p_advance(p);
    ok = read_binary(p, m);
  } else if (wast_p_at(p, "quote")) {
    wast_p_advance(p);
    ok = in_assertion ? skip_quote(p, m) : text_module(p, line);
  } else {
    ok = text_module(p, line);
  }
  return ok && wast_p_expect(p, WAST_TOK_RPAR, "')' after the module");
}

/* `(module ...)` where an assertion wants one. */
static bool read_module_arg(wast_parser *p, wast_module *m) {
  if (!wast_p_expect(p, WAST_TOK_LPAR, "a module"))
    return false;
  if (!wast_p_at(p, "module"))
    return wast_p_fail(p, "line %u: expected a module", p->tok.line);
  return read_module(p, m, true);
}

/* ---- actions -------------------------------------------------------- */

/* After `(` at invoke or get: through the `)`. */
static bool read_action_body(wast_parser *p, wast_action *a) {
  bool invoke = wast_p_at(p, "invoke");
  if (!invoke && !wast_p_at(p, "get"))
    return wast_p_fail(p, "line %u: expected invoke or get", p->tok.line);
  a->kind = invoke ? WAST_ACTION_INVOKE : WAST_ACTION_GET;
  wast_p_advance(p);
  if (!read_opt_id(p, &a->module) ||
      !read_string(p, &a->field, "an export name"))
    return false;
  if (!invoke)
    return wast_p_expect(p, WAST_TOK_RPAR, "')' after get");
  size_t cap = 0;
  while (p->tok.kind == WAST_TOK_LPAR) {
    wast_p_advance(p);
    if (a->nargs == cap) {
      size_t want = cap ? cap * 2 : 4;
      wrun_val *grown = want <= 65536 ? wast_cmds_alloc(p->cmds, want * sizeof *grown) : NULL;
      if (!grown)
        return wast_p_fail(p, "too many arguments");
      if (cap)
        memcpy(grown, a->args, cap * sizeof *grown);
      a->args = grown;
      cap = want;
    }
    if (!wast_p_const(p, &a->args[a->nargs]))
      return false;
    a->nargs++;
  }
  return wast_p_expect(p, WAST_TOK_RPAR, "')' after invoke");
}

static bool read_action(wast_parser *p, wast_action *a) {
  return wast_p_expect(p, WAST_TOK_LPAR, "an action") &&
         read_action_body(p, a);
}

/* ---- commands ----------------------------------------------------------- */

static bool read_results(wast_parser *p, wast_cmd *c) {
  size_t cap = 0;
  while (p->tok.kind == WAST_TOK_LPAR) {
    wast_p_advance(p);
    if (c->nresults == cap) {
      size_t want = cap ? cap * 2 : 4;
      wast_result *grown = want <= 65536 ? wast_cmds_alloc(p->cmds, want * sizeof *grown) : NULL;
      if (!grown)
        return wast_p_fail(p, "too many results");
      if (cap)
        memcpy(grown, c->results, cap * sizeof *grown);
      c->results = grown;
      cap = want;
    }
    if (!wast_p_result(p, &c->results[c->nresults]))
      return false;
    c->nresults++;
  }
  return true;
}

static bool read_failure_text(wast_parser *p, wast_cmd *c) {
  return read_string(p, &c->text, "the expected failure message");
}

static const struct {
  const char *word;
  wast_cmd_kind kind;
} module_assertions[] = {
  {"assert_invalid", WAST_CMD_ASSERT_INVALID},
  {"assert_malformed", WAST_CMD_ASSERT_MALFORMED},
  {"assert_unlinkable", WAST_CMD_ASSERT_UNLINKABLE},
  {"assert_uninstantiable", WAST_CMD_ASSERT_UNINSTANTIABLE},
};

/* After `(` of assert_trap: an action or a module. */
static bool read_assert_trap(wast_parser *p, wast_cmd *c) {
  if (!wast_p_expect(p, WAST_TOK_LPAR, "an action or a module"))
    return false;
  if (wast_p_at(p, "module")) {
    c->kind = WAST_CMD_ASSERT_UNINSTANTIABLE;
    if (!read_module(p, &c->module, true))
      return false;
  } else {
    c->kind = WAST_CMD_ASSERT_TRAP;
    if (!read_action_body(p, &c->action))
      return false;
  }
  return read_failure_text(p, c);
}

/* A script may be one module's fields without `(module ...)` around
 * them (the spec's inline-module.wast): those are text. */
static bool is_module_field(const wast_token *kw) {
  static const char *const fields[] = {
    "type", "rec", "import", "func", "table", "memory", "global", "tag",
    "export", "start", "elem", "data",
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (wast_tok_is(kw, fields[i]))
      return true;
  return false;
}

/* After `(`, at the command's keyword: the command through its `)`. */
static bool read_command(wast_parser *p, wast_cmd *c) {
  if (p->tok.kind != WAST_TOK_ATOM)
    return wast_p_fail(p, "line %u: expected a command", p->tok.line);
  wast_token kw = p->tok;
  c->name = NULL;
  bool ok;
  if (wast_tok_is(&kw, "module")) {
    c->kind = WAST_CMD_MODULE;
    return read_module(p, &c->module, false);
  }
  if (wast_tok_is(&kw, "invoke") || wast_tok_is(&kw, "get")) {
    c->kind = WAST_CMD_ACTION;
    return read_action_body(p, &c->action);
  }
  wast_p_advance(p);
  if (wast_tok_is(&kw, "register")) {
    c->kind = WAST_CMD_REGISTER;
    ok = read_string(p, &c->as, "a name to register") &&
         read_opt_id(p, &c->action.module);
  } else if (wast_tok_is(&kw, "assert_return")) {
    c->kind = WAST_CMD_ASSERT_RETURN;
    ok = read_action(p, &c->action) && read_results(p, c);
  } else if (wast_tok_is(&kw, "assert_trap")) {
    ok = read_assert_trap(p, c);
    c->name = "assert_trap";
  } else if (wast_tok_is(&kw, "assert_exhaustion")) {
    c->kind = WAST_CMD_ASSERT_EXHAUSTION;
    ok = read_action(p, &c->action) && read_failure_text(p, c);
  } else if (wast_tok_is(&kw, "assert_exception")) {
    c->kind = WAST_CMD_ASSERT_EXCEPTION;
    ok = read_action(p, &c->action);
  } else {
    size_t i = 0;
    while (i < sizeof module_assertions / sizeof module_assertions[0] &&
           !wast_tok_is(&kw, module_assertions[i].word))
      i++;
    if (i == sizeof module_assertions / sizeof module_assertions[0] &&
        is_module_field(&kw))
      return text_module(p, kw.line); /* an inline module: text */
    if (i == sizeof module_assertions / sizeof module_assertions[0])
      return wast_p_fail(p, "line %u: unknown command %.*s", kw.line,
                         (int)(kw.len > 40 ? 40 : kw.len), kw.text);
    c->kind = module_assertions[i].kind;
    ok = read_module_arg(p, &c->module) && read_failure_text(p, c);
  }
  return ok && wast_p_expect(p, WAST_TOK_RPAR, "')' after the command");
}

/* After a failed command: skips to the end of it. */
static void skip_command(wast_parser *p) {
  while (p->depth > 0 && p->tok.kind != WAST_TOK_EOF &&
         p->tok.kind != WAST_TOK_ERROR)
    wast_p_advance(p);
}

/* The command becomes a BAD one carrying the parser's message. */
static void make_bad(wast_parser *p, wast_cmd *c) {
  unsigned line = c->line;
  memset(c, 0, sizeof *c);
  c->kind = WAST_CMD_BAD;
  c->line = line;
  c->text = wast_cmds_text(p->cmds, p->err, strlen(p->err));
  if (!c->text.bytes)
    p->no_memory = true;
}

wast_parse_status wast_parse_script(const char *text, size_t len,
                                    wast_cmds *out, unsigned *text_line) {
  wast_parser p = {.cmds = out};
  wast_lex_init(&p.lx, text, len);
  p.tok = wast_lex_next(&p.lx);
  while (p.tok.kind != WAST_TOK_EOF && !p.no_memory) {
    wast_cmd *c = wast_cmds_push(out);
    if (!c) {
      p.no_memory = true;
      break;
    }
    p.cmd = c;
    p.err[0] = '\0';
    c->line = p.tok.line;
    bool ok;
    if (p.tok.kind == WAST_TOK_ERROR) {
      snprintf(p.err, sizeof p.err, "%s", p.lx.error);
      ok = false;
      p.fatal = true;
    } else if (p.tok.kind != WAST_TOK_LPAR) {
      ok = wast_p_fail(&p, "line %u: expected '(' of a command",
                       p.tok.line);
      p.fatal = true; /* no telling where the next command starts */
    } else {
      wast_p_advance(&p);
      ok = read_command(&p, c);
    }
    if (p.text_module) {
      wast_cmds_free(out);
      *text_line = p.text_line;
      return WAST_PARSE_TEXT_MODULE;
    }
    if (!c->name)
      c->name = wast_cmd_kind_name(c->kind);
    if (ok)
      continue;
    make_bad(&p, c);
    if (p.fatal)
      break;
    skip_command(&p);
    if (p.tok.kind == WAST_TOK_ERROR) {
      /* the lexer failed while skipping: that is the last command */
      c = wast_cmds_push(out);
      if (!c) {
        p.no_memory = true;
        break;
      }
      c->line = p.tok.line;
      p.cmd = c;
      snprintf(p.err, sizeof p.err, "%s", p.lx.error);
      make_bad(&p, c);
      break;
    }
  }
  if (p.no_memory) {
    wast_cmds_free(out);
    return WAST_PARSE_NO_MEMORY;
  }
  return WAST_PARSE_OK;
}
