/* Quicksort (median of three, insertion sort for short ranges) on an
 * int32 array: compares, swaps, recursion and unpredictable branches. */
#include "../bench.h"

#define COUNT 200000
static int32_t data[COUNT];

static void insertion_sort(int32_t *v, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    int32_t x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void swap(int32_t *v, int i, int j) {
  int32_t t = v[i];
  v[i] = v[j];
  v[j] = t;
}

static void quicksort(int32_t *v, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    int32_t pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) swap(v, i++, j--);
    }
    /* Recurse into the smaller side, loop on the larger. */
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion_sort(v, lo, hi);
}

/* n sorts of fresh random arrays; returns a position-weighted checksum. */
int64_t run(int n) {
  int64_t sum = 0;
  for (int rep = 0; rep < n; rep++) {
    uint32_t s = (uint32_t)rep * 7919u + 1;
    for (int i = 0; i < COUNT; i++)
      data[i] = (int32_t)bench_lcg(&s);
    quicksort(data, 0, COUNT - 1);
    for (int i = 0; i < COUNT; i += 97)
      sum += (int64_t)data[i] * (i + 1);
  }
  return sum;
}
