/* A hash table with string keys: words made from a small alphabet are
 * counted in an open-addressing table (FNV-1a of the bytes, byte-by-byte
 * compares on a hit), then looked up again; pointer chasing, byte loads
 * and data-dependent branches, as in a compiler's symbol table. */
#include "../bench.h"

#define NWORDS 50000
#define POOL_SIZE (NWORDS * 13)
#define TABLE_SIZE (1 << 17) /* a power of two, over twice NWORDS */

typedef struct entry {
  const char *key; /* NULL: empty */
  uint32_t len, count;
} entry;

static char pool[POOL_SIZE];
static const char *words[NWORDS];
static uint32_t lens[NWORDS];
static entry table[TABLE_SIZE];

static uint32_t hash(const char *s, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static int same(const char *a, const char *b, uint32_t len) {
  for (uint32_t i = 0; i < len; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

static entry *find(const char *s, uint32_t len) {
  uint32_t i = hash(s, len) & (TABLE_SIZE - 1);
  while (table[i].key &&
         (table[i].len != len || !same(table[i].key, s, len)))
    i = (i + 1) & (TABLE_SIZE - 1);
  return &table[i];
}

/* Words of 2..9 letters from 6: many repeats, many distinct. */
static void make_words(uint32_t seed) {
  char *p = pool;
  for (int i = 0; i < NWORDS; i++) {
    uint32_t len = 2 + (bench_lcg(&seed) >> 16) % 8;
    words[i] = p;
    lens[i] = len;
    for (uint32_t k = 0; k < len; k++)
      *p++ = (char)('a' + (bench_lcg(&seed) >> 16) % 6);
  }
}

/* n rounds: clear, count every word, then look each up. */
int64_t run(int n) {
  int64_t sum = 0;
  for (int round = 0; round < n; round++) {
    make_words(1000u + (uint32_t)round);
    __builtin_memset(table, 0, sizeof table);
    uint32_t distinct = 0;
    for (int i = 0; i < NWORDS; i++) {
      entry *e = find(words[i], lens[i]);
      if (!e->key) {
        e->key = words[i];
        e->len = lens[i];
        distinct++;
      }
      e->count++;
    }
    for (int i = 0; i < NWORDS; i += 3) sum += find(words[i], lens[i])->count;
    sum += distinct;
  }
  return sum;
}
