/* poll: poll_oneoff with clock subscriptions (relative and absolute; the
 * earliest of several fires first; the elapsed time is at least the timeout),
 * a regular file's readiness (always ready), the EINVAL of an empty
 * subscription list, and sched_yield. */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define MS 1000000ull

static __wasi_timestamp_t now(__wasi_clockid_t clock) {
  __wasi_timestamp_t t;
  CHECK_WASI(__wasi_clock_time_get(clock, 1, &t), 0);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t id,
                                       __wasi_clockid_t clock,
                                       __wasi_timestamp_t timeout,
                                       __wasi_subclockflags_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = id;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = clock;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = flags;
  return s;
}

static void poll_relative(void) {
  __wasi_subscription_t sub =
      clock_sub(42, __WASI_CLOCKID_MONOTONIC, 50 * MS, 0);
  __wasi_event_t ev[1];
  __wasi_size_t n = 0;
  __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC);
  CHECK_WASI(__wasi_poll_oneoff(&sub, ev, 1, &n), 0);
  __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - start;
  CHECK(n == 1, "%lu events", n);
  CHECK(ev[0].userdata == 42 && ev[0].type == __WASI_EVENTTYPE_CLOCK &&
            ev[0].error == 0,
        "event userdata %llu type %u error %u",
        (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
  CHECK(elapsed >= 50 * MS, "slept %llu ns, asked for 50 ms",
        (unsigned long long)elapsed);
  /* libc's nanosleep is the same call underneath. */
  start = now(__WASI_CLOCKID_MONOTONIC);
  struct timespec req = {0, 20 * 1000000};
  CHECK_OK(nanosleep(&req, NULL));
  elapsed = now(__WASI_CLOCKID_MONOTONIC) - start;
  CHECK(elapsed >= 20 * MS, "nanosleep slept %llu ns",
        (unsigned long long)elapsed);
}

static void poll_absolute(void) {
  __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC);
  __wasi_subscription_t sub =
      clock_sub(7, __WASI_CLOCKID_MONOTONIC, start + 30 * MS,
                __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  __wasi_event_t ev[1];
  __wasi_size_t n = 0;
  CHECK_WASI(__wasi_poll_oneoff(&sub, ev, 1, &n), 0);
  __wasi_timestamp_t end = now(__WASI_CLOCKID_MONOTONIC);
  CHECK(n == 1 && ev[0].userdata == 7, "absolute: %lu events", n);
  CHECK(end >= start + 30 * MS, "absolute deadline: woke after %llu ns",
        (unsigned long long)(end - start));
  /* A deadline in the past fires at once. */
  sub = clock_sub(8, __WASI_CLOCKID_MONOTONIC, start,
                  __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK_WASI(__wasi_poll_oneoff(&sub, ev, 1, &n), 0);
  CHECK(n == 1 && ev[0].userdata == 8, "past deadline: %lu events", n);
}

static void poll_earliest_first(void) {
  __wasi_subscription_t subs[3] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 400 * MS, 0),
      clock_sub(2, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0),
      clock_sub(3, __WASI_CLOCKID_REALTIME, 500 * MS, 0),
  };
  __wasi_event_t ev[3];
  __wasi_size_t n = 0;
  __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC);
  CHECK_WASI(__wasi_poll_oneoff(subs, ev, 3, &n), 0);
  __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - start;
  CHECK(n >= 1 && n <= 3, "%lu events", n);
  int found = 0;
  for (__wasi_size_t i = 0; i < n; i++) {
    CHECK(ev[i].userdata != 1 && ev[i].userdata != 3,
          "the 400/500 ms timer fired after %llu ns",
          (unsigned long long)elapsed);
    found |= ev[i].userdata == 2;
  }
  CHECK(found, "the 20 ms timer did not fire");
  CHECK(elapsed >= 20 * MS && elapsed < 350 * MS,
        "woke after %llu ns for a 20 ms timer", (unsigned long long)elapsed);
}

static void poll_errors(void) {
  __wasi_event_t ev[1];
  __wasi_size_t n = 99;
  __wasi_subscription_t sub;
  CHECK_WASI(__wasi_poll_oneoff(&sub, ev, 0, &n), __WASI_ERRNO_INVAL);
}

/* A regular file is always ready for reading and writing. */
static void poll_file(void) {
  int fd = open("data.txt", O_RDWR);
  CHECK_OK(fd);
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 10;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = (__wasi_fd_t)fd;
  subs[1] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC);
  CHECK_WASI(__wasi_poll_oneoff(subs, ev, 2, &n), 0);
  __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - start;
  CHECK(n == 1 && ev[0].userdata == 10 &&
            ev[0].type == __WASI_EVENTTYPE_FD_READ && ev[0].error == 0,
        "file read readiness: %lu events, first %llu type %u error %u", n,
        (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
  CHECK(elapsed < 4000 * MS, "waited %llu ns for a file",
        (unsigned long long)elapsed);
  CHECK_OK(close(fd));
}

int main(void) {
  poll_relative();
  poll_absolute();
  poll_earliest_first();
  poll_errors();
  poll_file();
  CHECK_WASI(__wasi_sched_yield(), 0);
  puts("poll ok");
  return 0;
}
