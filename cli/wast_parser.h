/* Internal to the native script parser (wast_script.c for commands,
 * wast_script_values.c for constants and result patterns): the parser's
 * state and the token helpers both use. */
#ifndef WRUN_CLI_WAST_PARSER_H
#define WRUN_CLI_WAST_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "wast_cmd.h"
#include "wast_lex.h"

/* Deeper nesting than any script needs: a hostile input is cut off here
 * (the parser itself never recurses on nesting; this bounds the depth
 * counter and the skipping of unread forms). */
#define WAST_MAX_DEPTH 1000

typedef struct wast_parser {
  wast_lexer lx;
  wast_token tok;    /* the current (next unconsumed) token */
  size_t depth;      /* parentheses opened and not closed, consumed ones */
  wast_cmds *cmds;
  wast_cmd *cmd;     /* the command being read */
  char err[256];     /* why the current command could not be read */
  bool fatal;        /* lexical error or nesting limit: stop reading */
  bool no_memory;
  bool text_module;  /* found a module that needs converting */
  unsigned text_line;
} wast_parser;

/* Consumes the current token. */
void wast_p_advance(wast_parser *p);
/* Records the first error of a command; returns false for `return`. */
bool wast_p_fail(wast_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Consumes a token of that kind or fails saying what was expected. */
bool wast_p_expect(wast_parser *p, wast_tok_kind kind, const char *what);
/* Whether the current token is the atom word. */
bool wast_p_at(const wast_parser *p, const char *word);
/* Marks the command as holding a value wrun's API cannot express (the
 * first reason wins) and goes on reading it. */
void wast_p_unsupported(wast_parser *p, const char *why);

/* After `(` with the current token the constant's keyword: one argument
 * value, through its `)`. */
bool wast_p_const(wast_parser *p, wrun_val *out);
/* After `(`: one expected result (a constant, a pattern, or either). */
bool wast_p_result(wast_parser *p, wast_result *out);

#endif
