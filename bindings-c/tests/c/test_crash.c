/* Redis SIGKILLed and restarted while emits flow, observed at a real socket.io client: the C
 * counterpart of core/tests/interop_redis_crash.rs and bindings-python/tests/test_redis_crash.py
 * (same scenarios, same accounting, same assertions).
 *
 * `test_crash SCENARIO REDIS_URL`, driven by tests/run_c_crash.js, which gives every scenario
 * a harness of its own (Redis, one Socket.IO server, the recording client `sub`). The program
 * talks to the driver as test_faults.c does: it writes a request line on stdout and reads the
 * answer (`ok ...` or `error <reason>`) on stdin:
 *   `@harness {json}`  a harness command (here redis_stop and redis_start);
 *   `@seq {json}`      the flush barrier, then `ok` and the first argument of every `seq`
 *                      event the client received, in arrival order;
 *   `@names {json}`    the flush barrier, then `ok` and the names of its events.
 *
 * Scenarios: `queued:S` (100 000 sioe_emitter_enqueue, then one flush), `blocking:S` (20 000
 * sioe_emitter_emit, one at a time), where S seconds is how long Redis stays down after being
 * killed when the producer thread has made 30 % of its calls; and `first-call` (the first
 * call after a restart is sent; a call made while Redis is down waits for it).
 *
 * Every emit is accounted for: delivered, reported failed (a failed ticket, or the emit's own
 * CONNECTION/TIMEOUT), reported as reaching no server, or lost inside Redis when it died
 * (Pub/Sub is at-most-once; those can only be emits Redis had acknowledged before the kill).
 * No call may hang, nothing may arrive out of order or twice, and a restart with no downtime
 * must fail nothing that certainly was not sent. Each scenario's figures go to stderr when
 * it fails, or always with CRASH_VERBOSE=1.
 *
 * It runs natively: valgrind is far too slow for 100 000 emits and the time bounds. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int failures = 0;
int checks = 0;

#define CONNECT_MS 2000
#define RESPONSE_MS 2000
/* A call slower than its budget (connect + response timeout) plus this much slack hung. */
#define SLACK_MS 5000
#define QUEUED 100000
#define BLOCKING 20000
/* Redis is killed when the producer has made this share of its calls. */
#define KILL_AT_PERCENT 30
/* The longest the producer may take to reach the kill mark. */
#define REACH_TIMEOUT_S 60
/* A producer whose progress stands still this long is stuck in a call: the run fails there
 * rather than hanging (a call that returns late is caught by the slowest-call check). */
#define STUCK_S 60
/* The longest the final flush may take (a TIMEOUT is a failure: it hung). */
#define FLUSH_LIMIT_MS 120000.0
/* Failed emits whose messages are shown with the figures. */
#define SHOWN_ERRORS 10

static const char *url;
static bool verbose;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_s(double s) {
  struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

/* ---------------------------------------------------------------------------------------
 * The driver */

static char *answer;
static size_t answer_cap;

/* Sends one request; returns what follows `ok` in the answer (valid until the next request),
 * or NULL when the driver answered an error. */
static const char *driver(const char *verb, const char *json) {
  printf("%s %s\n", verb, json);
  fflush(stdout);
  ssize_t n = getline(&answer, &answer_cap, stdin);
  if (n < 0) {
    fprintf(stderr, "the driver closed stdin\n");
    exit(2);
  }
  if (n > 0 && answer[n - 1] == '\n') answer[n - 1] = '\0';
  if (strncmp(answer, "ok", 2) != 0) {
    fprintf(stderr, "%s %s: %s\n", verb, json, answer);
    return NULL;
  }
  return answer[2] == ' ' ? answer + 3 : answer + 2;
}

static bool harness(const char *json) { return driver("@harness", json) != NULL; }

/* The values of the client `sub`'s `seq` events, after a flush barrier. */
static uint64_t *delivered_seq(size_t *len) {
  *len = 0;
  const char *text = driver("@seq", "{\"client\":\"sub\",\"event\":\"seq\"}");
  CHECK(text != NULL, "could not read the client's events");
  if (text == NULL) return NULL;
  size_t cap = 1024;
  uint64_t *values = malloc(cap * sizeof *values);
  for (char *end;; text = end) {
    while (*text == ' ') text++;
    if (*text == '\0') break;
    uint64_t v = strtoull(text, &end, 10);
    if (end == text) {
      CHECK(0, "not a number in the driver's answer: %.40s", text);
      break;
    }
    if (*len == cap) values = realloc(values, (cap *= 2) * sizeof *values);
    values[(*len)++] = v;
  }
  return values;
}

/* ---------------------------------------------------------------------------------------
 * Progress: the producer thread counts its calls; the main thread waits for the kill mark,
 * then drives the harness. */

typedef struct {
  atomic_uint_fast64_t done; /* calls made */
  uint64_t mark;             /* calls before the kill */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool reached; /* the mark, or the producer stopped early */
  bool finished;
} progress;

static void progress_init(progress *p, uint64_t mark) {
  atomic_init(&p->done, 0);
  p->mark = mark;
  pthread_mutex_init(&p->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&p->cond, &attr);
  pthread_condattr_destroy(&attr);
  p->reached = false;
  p->finished = false;
}

static void progress_destroy(progress *p) {
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->lock);
}

static void progress_signal(progress *p, bool finished) {
  pthread_mutex_lock(&p->lock);
  p->reached = true;
  if (finished) p->finished = true;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

static void progress_advance(progress *p, uint64_t done) {
  atomic_store_explicit(&p->done, done, memory_order_release);
  if (done == p->mark) progress_signal(p, false);
}

static uint64_t progress_done(progress *p) {
  return atomic_load_explicit(&p->done, memory_order_acquire);
}

/* Waits until `flag` (reached or finished) is set, at most `seconds`; 1 when it was. */
static bool progress_wait(progress *p, bool *flag, double seconds) {
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += (time_t)seconds;
  deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&p->lock);
  int rc = 0;
  while (!*flag && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&p->cond, &p->lock, &deadline);
  bool set = *flag;
  pthread_mutex_unlock(&p->lock);
  return set;
}

/* Waits for the producer to finish, failing the run (it cannot go on) when one call stands
 * still for STUCK_S: a call that never returns. */
static void wait_producer(progress *p, pthread_t thread, const char *what) {
  uint64_t last = progress_done(p);
  double since = now_s();
  while (!progress_wait(p, &p->finished, 1.0)) {
    uint64_t done = progress_done(p);
    if (done != last) {
      last = done;
      since = now_s();
    } else if (now_s() - since > STUCK_S) {
      fprintf(stderr, "not ok %s: call %llu has not returned for %d s: it hangs\n", what,
              (unsigned long long)done, STUCK_S);
      fflush(stderr);
      _exit(1);
    }
  }
  pthread_join(thread, NULL);
}

typedef struct {
  uint64_t after_kill; /* calls from this index on started after Redis was certainly dead */
  double outage;       /* from the redis_stop reply to the redis_start reply */
} crash;

/* Kills Redis once the producer reaches its mark, keeps it down for `down` seconds, restarts
 * it. */
static crash crash_when(progress *p, int down) {
  crash c = {UINT64_MAX, 0.0};
  bool reached = progress_wait(p, &p->reached, REACH_TIMEOUT_S);
  CHECK(reached, "the emits never reached %llu in %d s (at %llu)", (unsigned long long)p->mark,
        REACH_TIMEOUT_S, (unsigned long long)progress_done(p));
  CHECK(progress_done(p) >= p->mark, "the producer stopped at %llu, before the kill",
        (unsigned long long)progress_done(p));
  if (!reached) return c;
  CHECK(harness("{\"cmd\":\"redis_stop\"}"), "redis_stop");
  /* The call in progress now (index `done`) may have started before the kill; the next one
   * starts after this read. */
  c.after_kill = progress_done(p) + 1;
  double stopped = now_s();
  /* The outage itself: its length is the scenario, not a wait for a condition. */
  sleep_s(down);
  CHECK(harness("{\"cmd\":\"redis_start\"}"), "redis_start");
  c.outage = now_s() - stopped;
  return c;
}

static sioe_emitter *connect_short(void) {
  sioe_options *o = sioe_options_new();
  EXPECT_OK(sioe_options_set_connect_timeout_ms(o, CONNECT_MS, &err));
  EXPECT_OK(sioe_options_set_response_timeout_ms(o, RESPONSE_MS, &err));
  EXPECT_OK(sioe_options_set_reconnect(o, 50, 500, 50, &err));
  sioe_emitter *io = NULL;
  EXPECT_OK(sioe_connect(url, strlen(url), o, &io, &err));
  sioe_options_free(o);
  return io;
}

static void close_emitter(sioe_emitter *io) {
  sioe_flush_report r = {0, 0, 0, 0};
  sioe_error *err = NULL;
  sioe_status s = sioe_emitter_close_timeout(io, INFINITY, &r, &err);
  CHECK(s == SIOE_STATUS_OK, "close: %s (%s)", sioe_status_name(s), err ? sioe_error_message(err) : "");
  CHECK(r.sent + r.failed == 0, "the close found %llu sent and %llu failed after the flush",
        (unsigned long long)r.sent, (unsigned long long)r.failed);
  sioe_error_free(err);
  sioe_emitter_free(io);
}

/* ---------------------------------------------------------------------------------------
 * Accounting */

typedef struct {
  const char *what;
  uint64_t accepted;
  uint8_t *failed; /* per emit index: reported failed */
  uint64_t failed_count;
  uint64_t first_failed; /* the smallest failed index, UINT64_MAX when none */
  uint64_t reached_none;
  uint64_t *delivered; /* the values the client received, in order */
  size_t delivered_len;
  double slowest;
  crash crash;
  /* blocking: per emit index, acknowledged with at least one receiver; and the first
   * failures' messages */
  uint8_t *acknowledged;
  char errors[SHOWN_ERRORS][256];
  /* a problem the producer met (it stops there) */
  char trouble[256];
} counts;

static counts counts_new(const char *what, uint64_t accepted) {
  counts c;
  memset(&c, 0, sizeof c);
  c.what = what;
  c.accepted = accepted;
  c.failed = calloc(accepted, 1);
  c.acknowledged = calloc(accepted, 1);
  c.first_failed = UINT64_MAX;
  return c;
}

static void counts_free(counts *c) {
  free(c->failed);
  free(c->acknowledged);
  free(c->delivered);
}

/* Marks emit `i` failed; 0 when it already was. */
static bool mark_failed(counts *c, uint64_t i) {
  if (c->failed[i]) return false;
  c->failed[i] = 1;
  c->failed_count++;
  if (i < c->first_failed) c->first_failed = i;
  return true;
}

/* How many times each index was delivered (values out of range are not counted). */
static uint32_t *delivered_times(const counts *c) {
  uint32_t *times = calloc(c->accepted, sizeof *times);
  for (size_t k = 0; k < c->delivered_len; k++) {
    if (c->delivered[k] < c->accepted) times[c->delivered[k]]++;
  }
  return times;
}

typedef struct {
  uint64_t missing;      /* accepted, not delivered, not reported failed */
  uint64_t late_missing; /* of those, started after the kill */
  uint64_t first_late;
  uint64_t inversions;
  uint64_t duplicates;   /* deliveries beyond the first */
  uint64_t out_of_range; /* values never emitted */
} tally;

static tally count_up(const counts *c) {
  tally t = {0, 0, UINT64_MAX, 0, 0, 0};
  uint32_t *times = delivered_times(c);
  for (uint64_t i = 0; i < c->accepted; i++) {
    if (times[i] > 1) t.duplicates += times[i] - 1;
    if (times[i] == 0 && !c->failed[i]) {
      t.missing++;
      if (i >= c->crash.after_kill) {
        if (t.late_missing++ == 0) t.first_late = i;
      }
    }
  }
  for (size_t k = 0; k < c->delivered_len; k++) {
    if (c->delivered[k] >= c->accepted) t.out_of_range++;
    if (k > 0 && c->delivered[k - 1] >= c->delivered[k]) t.inversions++;
  }
  free(times);
  return t;
}

static void report(const counts *c, const tally *t) {
  uint64_t lost = t->missing - (c->reached_none < t->missing ? c->reached_none : t->missing);
  fprintf(stderr,
          "%s: accepted %llu, delivered %zu, reported failed %llu, reached no server %llu, "
          "lost in Redis at the kill %llu, inversions %llu, slowest call %.3f s "
          "(Redis away %.2f s)\n",
          c->what, (unsigned long long)c->accepted, c->delivered_len,
          (unsigned long long)c->failed_count, (unsigned long long)c->reached_none,
          (unsigned long long)lost, (unsigned long long)t->inversions, c->slowest,
          c->crash.outage);
  for (int k = 0; k < SHOWN_ERRORS && c->errors[k][0]; k++) fprintf(stderr, "  %s\n", c->errors[k]);
  if (c->failed_count > SHOWN_ERRORS && c->errors[SHOWN_ERRORS - 1][0]) {
    fprintf(stderr, "  ... %llu more failed\n", (unsigned long long)(c->failed_count - SHOWN_ERRORS));
  }
}

/* What every scenario must show. */
static tally check_common(const counts *c) {
  tally t = count_up(c);
  CHECK(c->trouble[0] == '\0', "%s: %s", c->what, c->trouble);
  if (t.inversions > 0) {
    char shown[512] = "";
    size_t used = 0;
    for (size_t k = 1, n = 0; k < c->delivered_len && n < 20 && used < sizeof shown - 48; k++) {
      if (c->delivered[k - 1] >= c->delivered[k]) {
        used += (size_t)snprintf(shown + used, sizeof shown - used, " (%llu, %llu)",
                                 (unsigned long long)c->delivered[k - 1],
                                 (unsigned long long)c->delivered[k]);
        n++;
      }
    }
    CHECK(0, "%s: delivered out of order:%s", c->what, shown);
  }
  CHECK(c->slowest < (CONNECT_MS + RESPONSE_MS + SLACK_MS) / 1000.0, "%s: a call hung (%.2f s)",
        c->what, c->slowest);
  CHECK(t.duplicates == 0, "%s: %llu duplicates", c->what, (unsigned long long)t.duplicates);
  CHECK(t.out_of_range == 0, "%s: %llu values never emitted", c->what,
        (unsigned long long)t.out_of_range);
  /* What Redis held when it died can only be what was sent before the kill: an emit made
   * after Redis was dead is delivered, reported failed, or counted as reaching no server. */
  CHECK(t.late_missing <= c->reached_none,
        "%s: %llu emits made after the kill (from %llu) vanished (reached none: %llu), the first %llu",
        c->what, (unsigned long long)t.late_missing, (unsigned long long)c->crash.after_kill,
        (unsigned long long)c->reached_none, (unsigned long long)t.first_late);
  return t;
}

/* ---------------------------------------------------------------------------------------
 * Queued emits: enqueue, then one flush */

typedef struct {
  sioe_emitter *io;
  progress *p;
  counts *c;
} producer_ctx;

static void *produce_queued(void *arg) {
  producer_ctx *x = arg;
  char args[32];
  for (uint64_t i = 0; i < x->c->accepted; i++) {
    int n = snprintf(args, sizeof args, "[%llu]", (unsigned long long)i);
    uint64_t ticket = 0;
    sioe_error *err = NULL;
    double t0 = now_s();
    sioe_status s = sioe_emitter_enqueue(x->io, S("seq"), args, (size_t)n, NULL, &ticket, &err);
    double took = now_s() - t0;
    if (took > x->c->slowest) x->c->slowest = took;
    if (s != SIOE_STATUS_OK) {
      snprintf(x->c->trouble, sizeof x->c->trouble, "enqueue %llu: %s (%s)", (unsigned long long)i,
               sioe_status_name(s), err ? sioe_error_message(err) : "");
      sioe_error_free(err);
      break;
    }
    /* Tickets count from 1 on a fresh emitter: ticket = i + 1. */
    if (ticket != i + 1) {
      snprintf(x->c->trouble, sizeof x->c->trouble, "emit %llu got ticket %llu",
               (unsigned long long)i, (unsigned long long)ticket);
      break;
    }
    progress_advance(x->p, i + 1);
  }
  progress_signal(x->p, true);
  return NULL;
}

static void queued(const char *what, int down) {
  int before = failures;
  sioe_emitter *io = connect_short();
  if (io == NULL) return;
  counts c = counts_new(what, QUEUED);
  progress p;
  progress_init(&p, QUEUED * KILL_AT_PERCENT / 100);
  producer_ctx x = {io, &p, &c};
  pthread_t thread;
  pthread_create(&thread, NULL, produce_queued, &x);
  c.crash = crash_when(&p, down);
  wait_producer(&p, thread, what);

  sioe_flush_report r = {0, 0, 0, 0};
  sioe_error *err = NULL;
  double t0 = now_s();
  sioe_status s = sioe_emitter_flush_timeout(io, FLUSH_LIMIT_MS, &r, &err);
  double took = now_s() - t0;
  if (took > c.slowest) c.slowest = took;
  CHECK(s == SIOE_STATUS_OK || s == SIOE_STATUS_FLUSH, "%s: flush: %s (%s)", what,
        sioe_status_name(s), err ? sioe_error_message(err) : "");
  size_t listed = sioe_error_failure_count(err);
  uint64_t twice = 0, never_issued = 0, other_status = 0;
  sioe_status odd = SIOE_STATUS_OK;
  for (size_t k = 0; k < listed; k++) {
    uint64_t ticket = 0;
    sioe_status why = SIOE_STATUS_OK;
    CHECK(sioe_error_failure(err, k, &ticket, &why), "failure %zu unreadable", k);
    if (ticket < 1 || ticket > QUEUED) {
      never_issued++;
      continue;
    }
    if (!mark_failed(&c, ticket - 1)) twice++;
    if (why != SIOE_STATUS_CONNECTION && why != SIOE_STATUS_TIMEOUT) {
      other_status++;
      odd = why;
    }
  }
  sioe_error_free(err);
  CHECK(twice == 0, "%s: %llu tickets reported twice", what, (unsigned long long)twice);
  CHECK(never_issued == 0, "%s: %llu tickets never issued", what, (unsigned long long)never_issued);
  CHECK(other_status == 0, "%s: %llu failures neither CONNECTION nor TIMEOUT (e.g. %s)", what,
        (unsigned long long)other_status, sioe_status_name(odd));
  CHECK(r.failed == listed, "%s: the report counts %llu failed, the error lists %zu", what,
        (unsigned long long)r.failed, listed);
  CHECK(r.sent + c.failed_count == QUEUED, "%s: every emit is reported once: sent %llu + failed %llu != %d",
        what, (unsigned long long)r.sent, (unsigned long long)c.failed_count, QUEUED);
  c.reached_none = r.reached_none;
  c.delivered = delivered_seq(&c.delivered_len);
  close_emitter(io);

  tally t = check_common(&c);
  /* Only pipelines in flight at the kill (at most two of 512) may be reported: Redis may
   * have published them before it died, so they are never sent again. */
  if (down == 0) {
    CHECK(c.failed_count <= 1024, "%s: %llu failed", what, (unsigned long long)c.failed_count);
    CHECK(t.missing <= c.reached_none + 4096, "%s: %llu emits vanished (reached none: %llu)", what,
          (unsigned long long)t.missing, (unsigned long long)c.reached_none);
  }
  if (verbose || failures > before) report(&c, &t);
  progress_destroy(&p);
  counts_free(&c);
}

/* ---------------------------------------------------------------------------------------
 * Blocking emits, one at a time */

static void *produce_blocking(void *arg) {
  producer_ctx *x = arg;
  counts *c = x->c;
  char args[32];
  int shown = 0;
  for (uint64_t i = 0; i < c->accepted; i++) {
    int n = snprintf(args, sizeof args, "[%llu]", (unsigned long long)i);
    uint64_t servers = 0;
    sioe_error *err = NULL;
    double t0 = now_s();
    sioe_status s = sioe_emitter_emit(x->io, S("seq"), args, (size_t)n, NULL, &servers, &err);
    double took = now_s() - t0;
    if (took > c->slowest) c->slowest = took;
    if (s == SIOE_STATUS_OK) {
      if (servers == 0) {
        c->reached_none++;
      } else {
        c->acknowledged[i] = 1;
      }
    } else {
      mark_failed(c, i);
      if (shown < SHOWN_ERRORS) {
        snprintf(c->errors[shown++], sizeof c->errors[0], "emit %llu: %s after %.3f s: %s",
                 (unsigned long long)i, sioe_status_name(s), took, err ? sioe_error_message(err) : "");
      }
      if (s != SIOE_STATUS_CONNECTION && s != SIOE_STATUS_TIMEOUT && c->trouble[0] == '\0') {
        snprintf(c->trouble, sizeof c->trouble, "emit %llu: %s (%s)", (unsigned long long)i,
                 sioe_status_name(s), err ? sioe_error_message(err) : "");
      }
    }
    sioe_error_free(err);
    progress_advance(x->p, i + 1);
  }
  progress_signal(x->p, true);
  return NULL;
}

static void blocking(const char *what, int down) {
  int before = failures;
  sioe_emitter *io = connect_short();
  if (io == NULL) return;
  counts c = counts_new(what, BLOCKING);
  progress p;
  progress_init(&p, BLOCKING * KILL_AT_PERCENT / 100);
  producer_ctx x = {io, &p, &c};
  pthread_t thread;
  pthread_create(&thread, NULL, produce_blocking, &x);
  c.crash = crash_when(&p, down);
  wait_producer(&p, thread, what);
  c.delivered = delivered_seq(&c.delivered_len);
  close_emitter(io);

  tally t = check_common(&c);
  /* An emit Redis acknowledged to a receiver and that never arrived can only be one Redis
   * held when it was killed: before the first failure. */
  if (c.failed_count > 0) {
    uint32_t *times = delivered_times(&c);
    uint64_t after = 0, first = 0;
    for (uint64_t i = c.first_failed; i < c.accepted; i++) {
      if (c.acknowledged[i] && times[i] == 0 && after++ == 0) first = i;
    }
    free(times);
    CHECK(after == 0, "%s: %llu acknowledged emits lost after the crash (first failure %llu), the first %llu",
          what, (unsigned long long)after, (unsigned long long)c.first_failed, (unsigned long long)first);
  }
  if (down == 0) {
    /* One call at a time: the one in flight at the kill may be reported, and one made in the
     * moment before the emitter saw the connection drop (its socket looked alive, so the call
     * cannot know that Redis never read it). */
    CHECK(c.failed_count <= 2, "%s: %llu failed", what, (unsigned long long)c.failed_count);
  }
  if (verbose || failures > before) report(&c, &t);
  progress_destroy(&p);
  counts_free(&c);
}

/* ---------------------------------------------------------------------------------------
 * The first call after a restart */

/* The names of the events the client `sub` received so far (space-separated), after a flush
 * barrier; "?" when the driver could not say. */
static char *names(void) {
  const char *text = driver("@names", "{\"client\":\"sub\"}");
  return strdup(text ? text : "?");
}

typedef struct {
  sioe_emitter *io;
  sioe_status status;
  uint64_t servers;
  char message[512];
} waiting_call;

static void *emit_while_down(void *arg) {
  waiting_call *w = arg;
  sioe_error *err = NULL;
  w->status = sioe_emitter_emit(w->io, S("while-down"), NULL, 0, NULL, &w->servers, &err);
  snprintf(w->message, sizeof w->message, "%s", err ? sioe_error_message(err) : "");
  sioe_error_free(err);
  return NULL;
}

static void first_call(void) {
  const char *what = "first call after a restart";
  sioe_emitter *io = connect_short();
  if (io == NULL) return;
  uint64_t servers = 99;
  /* Each kill waits until what was published has arrived: a message Redis acknowledged but
   * had not yet written to the server's connection dies with it (at-most-once), and on a
   * busy machine the kill can come in between. */
  EXPECT_OK(sioe_emitter_emit(io, S("before"), NULL, 0, NULL, &servers, &err));
  CHECK(servers == 1, "before: %llu servers", (unsigned long long)servers);
  char *got = names();
  CHECK(strcmp(got, "before") == 0, "%s: received [%s]", what, got);
  free(got);
  CHECK(harness("{\"cmd\":\"redis_stop\"}"), "redis_stop");
  CHECK(harness("{\"cmd\":\"redis_start\"}"), "redis_start");
  /* The connection the emitter holds died with Redis; the call reconnects and sends. */
  servers = 99;
  EXPECT_OK(sioe_emitter_emit(io, S("after"), NULL, 0, NULL, &servers, &err));
  CHECK(servers == 1, "after: %llu servers", (unsigned long long)servers);
  got = names();
  CHECK(strcmp(got, "before after") == 0, "%s: received [%s]", what, got);
  free(got);
  /* A call made while Redis is down waits for it, within its budget. */
  CHECK(harness("{\"cmd\":\"redis_stop\"}"), "redis_stop");
  waiting_call w = {io, SIOE_STATUS_OK, 99, ""};
  pthread_t thread;
  pthread_create(&thread, NULL, emit_while_down, &w);
  CHECK(harness("{\"cmd\":\"redis_start\"}"), "redis_start");
  pthread_join(thread, NULL);
  got = names();
  if (w.status != SIOE_STATUS_OK) {
    /* Reported as possibly published when the call raced the kill (never a silent loss,
     * never "refused"). */
    CHECK(strstr(w.message, "may or may not") != NULL, "%s: while-down: %s (%s)", what,
          sioe_status_name(w.status), w.message);
    CHECK(strcmp(got, "before after") == 0 || strcmp(got, "before after while-down") == 0,
          "%s: received [%s]", what, got);
  } else {
    /* 1: the server got it from the new Redis (which stays up), so it arrived; 0: it reached
     * Redis before the server had re-subscribed. */
    CHECK(w.servers <= 1, "%s: while-down reached %llu servers", what, (unsigned long long)w.servers);
    CHECK(strcmp(got, w.servers == 1 ? "before after while-down" : "before after") == 0,
          "%s: while-down reached %llu servers; received [%s]", what, (unsigned long long)w.servers, got);
  }
  if (verbose) {
    fprintf(stderr, "%s: while-down %s (%llu servers%s%s), received [%s]\n", what,
            sioe_status_name(w.status), (unsigned long long)w.servers, w.message[0] ? ": " : "",
            w.message, got);
  }
  free(got);
  close_emitter(io);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s queued:SECONDS|blocking:SECONDS|first-call REDIS_URL\n", argv[0]);
    return 2;
  }
  const char *scenario = argv[1];
  url = argv[2];
  const char *v = getenv("CRASH_VERBOSE");
  verbose = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
  char what[64];
  int down = -1;
  if (sscanf(scenario, "queued:%d", &down) == 1 && down >= 0) {
    snprintf(what, sizeof what, "queued, %d s down", down);
    queued(what, down);
  } else if (sscanf(scenario, "blocking:%d", &down) == 1 && down >= 0) {
    snprintf(what, sizeof what, "blocking, %d s down", down);
    blocking(what, down);
  } else if (strcmp(scenario, "first-call") == 0) {
    first_call();
  } else {
    fprintf(stderr, "unknown scenario %s\n", scenario);
    return 2;
  }
  free(answer);
  if (failures > 0) fprintf(stderr, "%s: %d checks, %d failed\n", scenario, checks, failures);
  return failures == 0 ? 0 : 1;
}
