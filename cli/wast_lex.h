/* The s-expression lexer of the native script parser (wast_script.c).
 *
 * Tokens of the WebAssembly text format, as far as scripts need them:
 * parentheses, strings, identifiers ($name, also $"quoted") and atoms
 * (keywords and numbers: every other run of identifier characters).
 * Whitespace, `;;` line comments and nested `(; ;)` block comments are
 * skipped. The input is a byte range, not a C string: nothing is read
 * outside [p, end), and a NUL byte is just an invalid character. */
#ifndef WRUN_CLI_WAST_LEX_H
#define WRUN_CLI_WAST_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum wast_tok_kind {
  WAST_TOK_EOF,
  WAST_TOK_LPAR,
  WAST_TOK_RPAR,
  WAST_TOK_STRING, /* text: the raw span between the quotes, escapes kept */
  WAST_TOK_ID,     /* text: the whole token, `$` included */
  WAST_TOK_ATOM,   /* text: the whole token */
  WAST_TOK_ERROR,  /* the lexer's message is in wast_lexer.error */
} wast_tok_kind;

typedef struct wast_token {
  wast_tok_kind kind;
  const char *text;
  size_t len;
  size_t value_len; /* STRING, quoted ID: length after decoding escapes */
  unsigned line;
} wast_token;

typedef struct wast_lexer {
  const char *p, *end;
  unsigned line;
  char error[128];
} wast_lexer;

void wast_lex_init(wast_lexer *lx, const char *text, size_t len);

/* The next token. After an ERROR token every later call returns ERROR
 * again (the position does not move). */
wast_token wast_lex_next(wast_lexer *lx);

/* Decodes the escapes of a STRING token's text (or of the quoted part of
 * an ID token, `$"..."`) into out, which holds tok->value_len bytes. The
 * lexer has checked the escapes already, so this cannot fail. */
void wast_lex_decode(const wast_token *tok, uint8_t *out);

/* Whether the ATOM token's text is exactly word. */
bool wast_tok_is(const wast_token *tok, const char *word);

#endif
