/* poll_oneoff on a uv_loop of its own: one uv_timer for the earliest clock
 * subscription, one uv_poll per host fd of the stream subscriptions
 * (terminals, pipes, sockets): libuv watches an fd once per loop, so an
 * FD_READ and an FD_WRITE subscription on one socket share a watch.
 * Regular files and directories are always ready, as POSIX poll says. The
 * loop blocks in the kernel until something happens: no busy-wait. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

enum { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };
#define SUBSCRIPTION_SIZE 48
#define EVENT_SIZE 32
#define MAX_SUBSCRIPTIONS 4096

typedef struct poll_sub {
  uint64_t userdata;
  uint8_t type;
  uint64_t deadline; /* clock: absolute monotonic ns */
  int host_fd;       /* fd events */
  bool fired;
  uint16_t error;
  uint64_t nbytes;
  uint16_t rwflags;
  struct poll_state *state;
} poll_sub;

/* The watch of one host fd, for all its subscriptions. */
typedef struct poll_watch {
  int host_fd;
  int events;      /* UV_READABLE and/or UV_WRITABLE */
  uv_poll_t handle;
  bool polling;    /* handle initialised */
  int saved_flags; /* uv_poll_init makes the fd non-blocking: restore */
  struct poll_state *state;
} poll_watch;

typedef struct poll_state {
  poll_sub *subs;
  uint32_t n;
  uint32_t fired;
  poll_watch *watches; /* at most one per subscription */
  uint32_t nwatches;
} poll_state;

static void fire(poll_sub *s, uint16_t error, uint64_t nbytes,
                 uint16_t rwflags) {
  if (s->fired) return;
  s->fired = true;
  s->error = error;
  s->nbytes = nbytes;
  s->rwflags = rwflags;
  s->state->fired++;
}

/* Bytes ready to read on a stream, when the host can tell. */
static uint64_t bytes_available(int fd) {
  int n = 0;
  return ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

/* Whether fd has hung up: both directions shut, reset, or a pipe whose
 * other end is gone (POLLHUP, POLLERR). A peer that only stopped sending
 * (EPOLLRDHUP, libuv's UV_DISCONNECT) has not: it is an EOF to read, and
 * writes still go through. The HANGUP flag must not say so then, since
 * wasi-libc's poll() turns it into POLLHUP and drops POLLOUT for it, and a
 * server would stop echoing to a client that has half-closed. */
static bool hung_up(int fd) {
  struct pollfd p = {.fd = fd, .events = 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

static void on_poll(uv_poll_t *h, int status, int events) {
  poll_watch *w = h->data;
  poll_state *st = w->state;
  /* libuv reports POLLERR (a reset connection, a pipe without reader) as
   * status UV_EBADF and stops the watch. For the guest it is a hangup in
   * every direction it waited for; its next read or write tells the
   * error. */
  if (status < 0) events = w->events;
  bool hangup = status < 0 || hung_up(w->host_fd);
  for (uint32_t i = 0; i < st->n; i++) {
    poll_sub *s = &st->subs[i];
    if (s->fired || s->type == EVENT_CLOCK || s->host_fd != w->host_fd)
      continue;
    bool read = s->type == EVENT_FD_READ;
    if (!(events & (read ? UV_READABLE : UV_WRITABLE))) continue;
    fire(s, 0, read ? bytes_available(s->host_fd) : 0, hangup ? 1 : 0);
  }
}

static void on_timer(uv_timer_t *t) {
  poll_state *st = t->data;
  uint64_t now = uv_hrtime();
  for (uint32_t i = 0; i < st->n; i++)
    if (st->subs[i].type == EVENT_CLOCK && st->subs[i].deadline <= now)
      fire(&st->subs[i], 0, 0, 0);
}

/* Reads one subscription; an fd that cannot be polled fires at once. */
static uint16_t read_subscription(wasi_call *c, uint32_t p, poll_sub *s) {
  wasi_mem *m = &c->mem;
  s->userdata = wasi_get_u64(m, p);
  s->type = m->base[p + 8];
  s->host_fd = -1;
  if (s->type == EVENT_CLOCK) {
    uint32_t clock = wasi_get_u32(m, p + 16);
    uint64_t timeout = wasi_get_u64(m, p + 24);
    bool absolute = wasi_get_u16(m, p + 40) & 1;
    uint64_t now;
    uint16_t err = wasi_clock_now(clock, &now);
    if (err) {
      fire(s, err, 0, 0);
      return WASI_ESUCCESS;
    }
    uint64_t wait = absolute ? (timeout > now ? timeout - now : 0) : timeout;
    uint64_t mono = uv_hrtime();
    s->deadline = wait > UINT64_MAX - mono ? UINT64_MAX : mono + wait;
    if (wait == 0) fire(s, 0, 0, 0);
    return WASI_ESUCCESS;
  }
  if (s->type != EVENT_FD_READ && s->type != EVENT_FD_WRITE)
    return WASI_EINVAL;
  wasi_fd *f;
  uint16_t err = wasi_fd_check(c->w, wasi_get_u32(m, p + 16),
                               WASI_RIGHT_POLL_FD_READWRITE, &f);
  if (err) {
    fire(s, err, 0, 0);
    return WASI_ESUCCESS;
  }
  s->host_fd = f->host_fd;
  if (f->filetype == WASI_FILETYPE_REGULAR_FILE ||
      f->filetype == WASI_FILETYPE_DIRECTORY) {
    uint64_t left = 0;
    struct stat st;
    off_t pos = lseek(f->host_fd, 0, SEEK_CUR);
    if (s->type == EVENT_FD_READ && fstat(f->host_fd, &st) == 0 && pos >= 0 &&
        st.st_size > pos)
      left = (uint64_t)(st.st_size - pos);
    fire(s, 0, left, 0);
  }
  return WASI_ESUCCESS;
}

/* Gathers the stream subscriptions by host fd: one watch each, wanting
 * every direction its subscriptions ask for. */
static void gather_watches(poll_state *st) {
  for (uint32_t i = 0; i < st->n; i++) {
    poll_sub *s = &st->subs[i];
    if (s->fired || s->type == EVENT_CLOCK) continue;
    uint32_t k = 0;
    while (k < st->nwatches && st->watches[k].host_fd != s->host_fd) k++;
    if (k == st->nwatches) {
      st->watches[k].host_fd = s->host_fd;
      st->watches[k].state = st;
      st->nwatches++;
    }
    st->watches[k].events |=
        s->type == EVENT_FD_READ ? UV_READABLE : UV_WRITABLE;
  }
}

/* The subscriptions of a watch the host cannot wait on are reported
 * ready, as poll(2) would report an fd that is always ready. */
static void fire_all_of(poll_state *st, int host_fd) {
  for (uint32_t i = 0; i < st->n; i++)
    if (st->subs[i].type != EVENT_CLOCK && st->subs[i].host_fd == host_fd)
      fire(&st->subs[i], 0, 0, 0);
}

static void start_fd_polls(uv_loop_t *loop, poll_state *st) {
  gather_watches(st);
  for (uint32_t k = 0; k < st->nwatches; k++) {
    poll_watch *w = &st->watches[k];
    w->saved_flags = fcntl(w->host_fd, F_GETFL);
    if (uv_poll_init(loop, &w->handle, w->host_fd) != 0) {
      fire_all_of(st, w->host_fd);
      continue;
    }
    w->polling = true;
    w->handle.data = w;
    /* No UV_DISCONNECT: a half-close is no event for a write (above);
     * for a read it comes as readable (the EOF). */
    if (uv_poll_start(&w->handle, w->events, on_poll) != 0)
      fire_all_of(st, w->host_fd);
  }
}

static void stop_fd_polls(poll_state *st) {
  for (uint32_t k = 0; k < st->nwatches; k++) {
    poll_watch *w = &st->watches[k];
    if (!w->polling) continue;
    uv_poll_stop(&w->handle);
    uv_close((uv_handle_t *)&w->handle, NULL);
    if (w->saved_flags >= 0) fcntl(w->host_fd, F_SETFL, w->saved_flags);
  }
}

/* The earliest pending clock deadline, or UINT64_MAX. */
static uint64_t earliest_deadline(const poll_state *st) {
  uint64_t best = UINT64_MAX;
  for (uint32_t i = 0; i < st->n; i++)
    if (st->subs[i].type == EVENT_CLOCK && !st->subs[i].fired &&
        st->subs[i].deadline < best)
      best = st->subs[i].deadline;
  return best;
}

static void wait_for_events(uv_loop_t *loop, poll_state *st) {
  start_fd_polls(loop, st);
  uv_timer_t timer;
  bool timing = false;
  uint64_t deadline = earliest_deadline(st);
  if (st->fired == 0 && deadline != UINT64_MAX) {
    uint64_t now = uv_hrtime();
    uint64_t ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;
    uv_timer_init(loop, &timer);
    timer.data = st;
    uv_timer_start(&timer, on_timer, ms, 0);
    timing = true;
  }
  if (st->fired > 0) {
    uv_run(loop, UV_RUN_NOWAIT); /* collect fds that are already ready */
  } else {
    /* A millisecond timer may wake a little early: go round until an event
     * is recorded, re-arming with the time that is left. */
    while (st->fired == 0 && (timing || uv_loop_alive(loop))) {
      uv_run(loop, UV_RUN_ONCE);
      if (st->fired == 0 && timing) {
        uint64_t now = uv_hrtime();
        if (now >= deadline) {
          on_timer(&timer);
        } else if (!uv_is_active((uv_handle_t *)&timer)) {
          uv_timer_start(&timer, on_timer, (deadline - now + 999999) / 1000000,
                         0);
        }
      }
    }
  }
  stop_fd_polls(st);
  if (timing) uv_close((uv_handle_t *)&timer, NULL);
  uv_run(loop, UV_RUN_NOWAIT); /* run the close callbacks */
}

static void put_events(wasi_call *c, const poll_state *st, uint32_t out,
                       uint32_t nevents_ptr) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < st->n; i++) {
    const poll_sub *s = &st->subs[i];
    if (!s->fired) continue;
    uint32_t p = out + k++ * EVENT_SIZE;
    memset(c->mem.base + p, 0, EVENT_SIZE);
    wasi_put_u64(&c->mem, p, s->userdata);
    wasi_put_u16(&c->mem, p + 8, s->error);
    wasi_put_u8(&c->mem, p + 10, s->type);
    if (s->type != EVENT_CLOCK) {
      wasi_put_u64(&c->mem, p + 16, s->nbytes);
      wasi_put_u16(&c->mem, p + 24, s->rwflags);
    }
  }
  wasi_put_u32(&c->mem, nevents_ptr, k);
}

uint16_t wasi_poll_oneoff(wasi_call *c) {
  uint32_t in = wasi_arg32(c, 0), out = wasi_arg32(c, 1);
  uint32_t n = wasi_arg32(c, 2), nevents_ptr = wasi_arg32(c, 3);
  if (n == 0) return WASI_EINVAL;
  if (n > MAX_SUBSCRIPTIONS) return WASI_ENOTSUP;
  if (!wasi_mem_ok(&c->mem, in, (uint64_t)n * SUBSCRIPTION_SIZE) ||
      !wasi_mem_ok(&c->mem, out, (uint64_t)n * EVENT_SIZE) ||
      !wasi_mem_ok(&c->mem, nevents_ptr, 4))
    return WASI_EFAULT;
  poll_state st = {calloc(n, sizeof(poll_sub)), n, 0,
                    calloc(n, sizeof(poll_watch)), 0};
  if (!st.subs || !st.watches) {
    free(st.subs);
    free(st.watches);
    return WASI_ENOMEM;
  }
  uint16_t err = WASI_ESUCCESS;
  wasi_lock(c->w); /* the fd lookups; the wait goes without it */
  for (uint32_t i = 0; i < n && !err; i++) {
    st.subs[i].state = &st;
    err = read_subscription(c, in + i * SUBSCRIPTION_SIZE, &st.subs[i]);
  }
  wasi_unlock(c->w);
  /* A loop of the call's own: threads may poll (or sleep) at once, and a
   * uv_loop is not thread-safe. */
  uv_loop_t loop;
  if (!err && uv_loop_init(&loop) != 0) err = WASI_ENOMEM;
  if (!err) {
    wait_for_events(&loop, &st);
    uv_loop_close(&loop);
    put_events(c, &st, out, nevents_ptr);
  }
  free(st.subs);
  free(st.watches);
  return err;
}
