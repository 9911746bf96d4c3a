/* Recursive Fibonacci: call/return overhead and small frames. */
#include "../bench.h"

static int64_t fib(int n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int64_t run(int n) { return fib(n); }
