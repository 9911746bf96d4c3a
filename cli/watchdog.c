/* The watchdog thread of watchdog.h. One mutex guards the state; the
 * thread sends the interrupt holding it, so once watchdog_disarm has taken
 * the mutex no interrupt can be on its way to the old store. Whether the
 * time is up is always read from the clock, never from how a wait ended:
 * a wait that timed out on an old deadline while the watchdog was armed
 * again just waits on the new one. */
#include "watchdog.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct watchdog {
  pthread_mutex_t lock;
  pthread_cond_t wake;      /* arm, disarm, delete: look again */
  pthread_t thread;
  wrun_store *store;        /* armed while not NULL */
  struct timespec deadline; /* CLOCK_MONOTONIC */
  bool quit;
};

static bool passed(const struct timespec *deadline) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > deadline->tv_sec ||
         (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static void *watchdog_main(void *arg) {
  watchdog *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->quit) {
    if (!w->store) {
      pthread_cond_wait(&w->wake, &w->lock);
    } else if (passed(&w->deadline)) {
      wrun_store_interrupt(w->store);
      w->store = NULL; /* once per arm */
    } else {
      pthread_cond_timedwait(&w->wake, &w->lock, &w->deadline);
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

watchdog *watchdog_new(void) {
  watchdog *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  pthread_condattr_t attr;
  if (pthread_condattr_init(&attr) != 0) goto no_cond;
  bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&w->wake, &attr) == 0;
  pthread_condattr_destroy(&attr);
  if (!ok) goto no_cond;
  if (pthread_mutex_init(&w->lock, NULL) != 0) goto no_mutex;
  if (pthread_create(&w->thread, NULL, watchdog_main, w) != 0) goto no_thread;
  return w;
no_thread:
  pthread_mutex_destroy(&w->lock);
no_mutex:
  pthread_cond_destroy(&w->wake);
no_cond:
  free(w);
  return NULL;
}

void watchdog_arm(watchdog *w, wrun_store *store, double seconds) {
  if (!(seconds > 0)) seconds = 0;
  if (seconds > 1e9) seconds = 1e9; /* some 30 years: no time_t overflow */
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  time_t whole = (time_t)seconds;
  deadline.tv_sec += whole;
  deadline.tv_nsec += (long)((seconds - (double)whole) * 1e9);
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&w->lock);
  w->store = store;
  w->deadline = deadline;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
}

void watchdog_disarm(watchdog *w) {
  pthread_mutex_lock(&w->lock);
  w->store = NULL;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
}

void watchdog_delete(watchdog *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->store = NULL;
  w->quit = true;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->wake);
  free(w);
}
