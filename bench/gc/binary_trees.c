/* binary-trees natively, for the GC benchmark (bench/gc/README.md): the
 * same trees and checks as binary_trees.py, with malloc and free (a tree
 * is freed once checked; the long-lived one at the end). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct node {
  struct node *left, *right;
} node;

static node *bottom_up(int d) {
  node *n = malloc(sizeof *n);
  if (!n) abort();
  n->left = d ? bottom_up(d - 1) : NULL;
  n->right = d ? bottom_up(d - 1) : NULL;
  return n;
}

static int32_t check(const node *n) {
  return n->left ? 1 + check(n->left) + check(n->right) : 1;
}

static void release(node *n) {
  if (n->left) {
    release(n->left);
    release(n->right);
  }
  free(n);
}

static int32_t run(int n) {
  int max = n > 6 ? n : 6;
  node *stretch = bottom_up(max + 1);
  int32_t total = check(stretch);
  release(stretch);
  node *long_lived = bottom_up(max);
  for (int d = 4; d <= max; d += 2) {
    int32_t iters = 1 << (max - d + 4), sum = 0;
    for (int32_t i = 0; i < iters; i++) {
      node *t = bottom_up(d);
      sum += check(t);
      release(t);
    }
    total += sum;
  }
  total += check(long_lived);
  release(long_lived);
  return total;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 16;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int32_t r = run(n);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%d\n", r);
  fprintf(stderr, "run_ms %.3f\n",
          (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
