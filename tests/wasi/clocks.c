/* clocks: clock_res_get and clock_time_get (monotonic never goes back and
 * moves over a sleep, realtime is a plausible date and agrees with libc),
 * and the errors for an unknown clock. */
#include <time.h>

#include "check.h"

#define MS 1000000ull

static __wasi_timestamp_t now(__wasi_clockid_t clock) {
  __wasi_timestamp_t t;
  CHECK_WASI(__wasi_clock_time_get(clock, 1, &t), 0);
  return t;
}

static void resolutions(void) {
  __wasi_timestamp_t res;
  CHECK_WASI(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res), 0);
  CHECK(res > 0 && res <= 1000 * MS, "monotonic resolution %llu ns",
        (unsigned long long)res);
  CHECK_WASI(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res), 0);
  CHECK(res > 0 && res <= 1000 * MS, "realtime resolution %llu ns",
        (unsigned long long)res);
  CHECK_WASI(__wasi_clock_res_get(99, &res), __WASI_ERRNO_INVAL);
  __wasi_timestamp_t t;
  CHECK_WASI(__wasi_clock_time_get(99, 1, &t), __WASI_ERRNO_INVAL);
}

static void readings(void) {
  /* 2020-01-01 .. 2100-01-01, in ns since the epoch. */
  __wasi_timestamp_t real = now(__WASI_CLOCKID_REALTIME);
  CHECK(real > 1577836800ull * 1000000000ull &&
            real < 4102444800ull * 1000000000ull,
        "realtime %llu is not a plausible date", (unsigned long long)real);
  struct timespec ts;
  CHECK_OK(clock_gettime(CLOCK_REALTIME, &ts));
  CHECK(ts.tv_sec >= 1577836800, "clock_gettime says %lld",
        (long long)ts.tv_sec);
  __wasi_timestamp_t prev = now(__WASI_CLOCKID_MONOTONIC), first = prev;
  for (int i = 0; i < 10000; i++) {
    __wasi_timestamp_t t = now(__WASI_CLOCKID_MONOTONIC);
    CHECK(t >= prev, "monotonic went back: %llu after %llu",
          (unsigned long long)t, (unsigned long long)prev);
    prev = t;
  }
  CHECK(prev > first, "monotonic did not move in 10000 readings");
}

static void monotonic_moves_over_a_sleep(void) {
  __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC);
  struct timespec req = {0, 30 * 1000000};
  CHECK_OK(nanosleep(&req, NULL));
  __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - start;
  /* Only "it moved about that much": the exact elapsed >= timeout rule is
   * poll.c's to check (node's sleep wakes up to a millisecond early, and
   * this program is also run under node). */
  CHECK(elapsed >= 25 * MS && elapsed < 30000 * MS,
        "monotonic moved %llu ns over a 30 ms sleep",
        (unsigned long long)elapsed);
}

int main(void) {
  resolutions();
  readings();
  monotonic_moves_over_a_sleep();
  puts("clocks ok");
  return 0;
}
