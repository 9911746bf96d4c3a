/* The script lexer. See wast_lex.h. */
#include "wast_lex.h"

#include <stdio.h>
#include <string.h>

void wast_lex_init(wast_lexer *lx, const char *text, size_t len) {
  lx->p = text;
  lx->end = text + len;
  lx->line = 1;
  lx->error[0] = '\0';
}

/* Identifier characters (the text format's idchar): printable ASCII but
 * space, quote, comma, semicolon, brackets, braces and parentheses. */
static bool is_idchar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f)
    return false;
  return !strchr("\",;[]{}()", c);
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static wast_token lex_error(wast_lexer *lx, const char *what) {
  snprintf(lx->error, sizeof lx->error, "line %u: %s", lx->line, what);
  /* Stuck here: every later call fails the same way. */
  lx->end = lx->p;
  return (wast_token){.kind = WAST_TOK_ERROR, .line = lx->line};
}

/* Skips blanks and comments. False with lx->error set on an unterminated
 * block comment. */
static bool skip_space(wast_lexer *lx) {
  while (lx->p < lx->end) {
    char c = *lx->p;
    if (c == '\n') {
      lx->line++;
      lx->p++;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      lx->p++;
    } else if (c == ';' && lx->end - lx->p >= 2 && lx->p[1] == ';') {
      while (lx->p < lx->end && *lx->p != '\n')
        lx->p++;
    } else if (c == '(' && lx->end - lx->p >= 2 && lx->p[1] == ';') {
      /* Block comments nest; a depth counter, no recursion. */
      unsigned start = lx->line;
      size_t depth = 1;
      lx->p += 2;
      while (depth > 0) {
        if (lx->end - lx->p < 2) {
          lx->line = start;
          lex_error(lx, "unterminated block comment");
          return false;
        }
        if (lx->p[0] == '(' && lx->p[1] == ';') {
          depth++;
          lx->p += 2;
        } else if (lx->p[0] == ';' && lx->p[1] == ')') {
          depth--;
          lx->p += 2;
        } else {
          if (*lx->p == '\n')
            lx->line++;
          lx->p++;
        }
      }
    } else {
      break;
    }
  }
  return true;
}

/* Bytes of the UTF-8 encoding of code point c (valid: the lexer checked). */
static size_t utf8_len(uint32_t c) {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* Reads one escape after the backslash at *pp; on success returns true,
 * advances *pp past it and sets *len to the bytes it decodes to, and *cp
 * to the byte (len 1 from \hh) or code point. */
static bool read_escape(const char **pp, const char *end, uint32_t *cp,
                        size_t *len, bool *raw_byte) {
  const char *p = *pp;
  if (p >= end)
    return false;
  *raw_byte = false;
  *len = 1;
  switch (*p) {
  case 'n': *cp = '\n'; *pp = p + 1; return true;
  case 't': *cp = '\t'; *pp = p + 1; return true;
  case 'r': *cp = '\r'; *pp = p + 1; return true;
  case '\\': *cp = '\\'; *pp = p + 1; return true;
  case '\'': *cp = '\''; *pp = p + 1; return true;
  case '"': *cp = '"'; *pp = p + 1; return true;
  case 'u': {
    if (end - p < 2 || p[1] != '{')
      return false;
    p += 2;
    uint32_t v = 0;
    size_t digits = 0;
    for (; p < end && *p != '}'; p++) {
      if (*p == '_' && digits > 0 && p + 1 < end && hex_value((unsigned char)p[1]) >= 0)
        continue;
      int h = hex_value((unsigned char)*p);
      if (h < 0)
        return false;
      v = v * 16 + (uint32_t)h;
      digits++;
      if (v > 0x10ffff)
        return false;
    }
    if (p >= end || digits == 0 || (v >= 0xd800 && v < 0xe000))
      return false;
    *cp = v;
    *len = utf8_len(v);
    *pp = p + 1;
    return true;
  }
  default: {
    int hi = hex_value((unsigned char)p[0]);
    int lo = end - p >= 2 ? hex_value((unsigned char)p[1]) : -1;
    if (hi < 0 || lo < 0)
      return false;
    *cp = (uint32_t)(hi * 16 + lo);
    *raw_byte = true;
    *pp = p + 2;
    return true;
  }
  }
}

/* A string from the opening quote at lx->p: checks every character and
 * escape, counts the decoded length. */
static wast_token lex_string(wast_lexer *lx, wast_tok_kind kind,
                             const char *tok_start) {
  const char *p = lx->p + 1;
  size_t value_len = 0;
  for (;;) {
    if (p >= lx->end)
      return lex_error(lx, "unterminated string");
    unsigned char c = (unsigned char)*p;
    if (c == '"')
      break;
    if (c < 0x20 || c == 0x7f)
      return lex_error(lx, "control character in a string");
    if (c == '\\') {
      uint32_t cp;
      size_t len;
      bool raw;
      p++;
      if (!read_escape(&p, lx->end, &cp, &len, &raw))
        return lex_error(lx, "bad escape in a string");
      value_len += len;
    } else {
      p++;
      value_len++;
    }
  }
  wast_token tok = {.kind = kind, .line = lx->line, .value_len = value_len};
  if (kind == WAST_TOK_STRING) {
    tok.text = lx->p + 1;
    tok.len = (size_t)(p - (lx->p + 1));
  } else {
    tok.text = tok_start;
    tok.len = (size_t)(p + 1 - tok_start);
  }
  lx->p = p + 1;
  return tok;
}

static void put_utf8(uint8_t **out, uint32_t c) {
  uint8_t *o = *out;
  if (c < 0x80) {
    *o++ = (uint8_t)c;
  } else if (c < 0x800) {
    *o++ = (uint8_t)(0xc0 | (c >> 6));
    *o++ = (uint8_t)(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    *o++ = (uint8_t)(0xe0 | (c >> 12));
    *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
    *o++ = (uint8_t)(0x80 | (c & 0x3f));
  } else {
    *o++ = (uint8_t)(0xf0 | (c >> 18));
    *o++ = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
    *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
    *o++ = (uint8_t)(0x80 | (c & 0x3f));
  }
  *out = o;
}

void wast_lex_decode(const wast_token *tok, uint8_t *out) {
  const char *p = tok->text, *end = tok->text + tok->len;
  if (tok->kind == WAST_TOK_ID) {
    /* $"...": the part between the quotes */
    p += 2;
    end--;
  }
  while (p < end) {
    if (*p != '\\') {
      *out++ = (uint8_t)*p++;
      continue;
    }
    p++;
    uint32_t cp;
    size_t len;
    bool raw;
    if (!read_escape(&p, end, &cp, &len, &raw))
      return; /* not reached: lex_string checked the escape */
    if (raw)
      *out++ = (uint8_t)cp;
    else
      put_utf8(&out, cp);
  }
}

wast_token wast_lex_next(wast_lexer *lx) {
  if (lx->error[0])
    return (wast_token){.kind = WAST_TOK_ERROR, .line = lx->line};
  if (!skip_space(lx))
    return (wast_token){.kind = WAST_TOK_ERROR, .line = lx->line};
  if (lx->p >= lx->end)
    return (wast_token){.kind = WAST_TOK_EOF, .line = lx->line};
  const char *start = lx->p;
  unsigned char c = (unsigned char)*start;
  if (c == '(' || c == ')') {
    lx->p++;
    return (wast_token){.kind = c == '(' ? WAST_TOK_LPAR : WAST_TOK_RPAR,
                        .text = start, .len = 1, .line = lx->line};
  }
  if (c == '"')
    return lex_string(lx, WAST_TOK_STRING, start);
  if (c == '$' && lx->end - start >= 2 && start[1] == '"') {
    lx->p++;
    wast_token tok = lex_string(lx, WAST_TOK_ID, start);
    if (tok.kind == WAST_TOK_ID && tok.value_len == 0)
      return lex_error(lx, "empty identifier");
    return tok;
  }
  if (!is_idchar(c))
    return lex_error(lx, "unexpected character");
  const char *p = start;
  while (p < lx->end && is_idchar((unsigned char)*p))
    p++;
  /* A token must end at a delimiter: `0x1"a"` is no number and a string. */
  if (p < lx->end && (*p == '"' || !(*p == '(' || *p == ')' || *p == ' ' ||
                                     *p == '\t' || *p == '\n' || *p == '\r' ||
                                     *p == ';')))
    return lex_error(lx, "unexpected character");
  lx->p = p;
  wast_tok_kind kind = c == '$' ? WAST_TOK_ID : WAST_TOK_ATOM;
  if (kind == WAST_TOK_ID && p - start == 1)
    return lex_error(lx, "empty identifier");
  return (wast_token){.kind = kind, .text = start, .len = (size_t)(p - start),
                      .line = lx->line};
}

bool wast_tok_is(const wast_token *tok, const char *word) {
  size_t n = strlen(word);
  return tok->kind == WAST_TOK_ATOM && tok->len == n &&
         memcmp(tok->text, word, n) == 0;
}
