/* The interop scenarios. The driver (tests/run_c_tests.js) has connected recording
 * clients in each namespace used here before this runs, and checks what they received
 * after this program exits; here we check statuses and receiver counts. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static sioe_emitter *of(const sioe_emitter *em, const char *nsp) {
  sioe_emitter *out = NULL;
  EXPECT_OK(sioe_emitter_of(em, nsp, strlen(nsp), &out, &err));
  return out;
}

static void emit_expect(const sioe_emitter *em, const char *event, const char *json,
                        const sioe_buffers *bufs, uint64_t want_receivers) {
  uint64_t n = 99;
  EXPECT_OK(sioe_emitter_emit(em, event, strlen(event), json, json ? strlen(json) : 0, bufs, &n, &err));
  CHECK(n == want_receivers, "%s: %llu receivers, want %llu", event, (unsigned long long)n,
        (unsigned long long)want_receivers);
}

static void targets(const sioe_emitter *io) {
  sioe_emitter *bc = of(io, "/c-bc");
  emit_expect(bc, "hello", "[\"world\",42,{\"k\":[1.5,null,true]}]", NULL, 2);

  sioe_emitter *room = of(io, "c-room"), *room1 = NULL;
  EXPECT_OK(sioe_emitter_to(room, S("room1"), &room1, &err));
  emit_expect(room1, "only-room1", NULL, NULL, 2);

  sioe_emitter *exc = of(io, "/c-exc"), *muted = NULL, *r = NULL, *r_muted = NULL;
  EXPECT_OK(sioe_emitter_except(exc, S("muted"), &muted, &err));
  emit_expect(muted, "not-muted", "[]", NULL, 2);
  EXPECT_OK(sioe_emitter_to(exc, S("r"), &r, &err));
  EXPECT_OK(sioe_emitter_except(r, S("muted"), &r_muted, &err));
  emit_expect(r_muted, "r-not-muted", NULL, NULL, 2);
  emit_expect(r, "r-all", NULL, NULL, 2); /* r was not changed by except() */

  sioe_emitter *num = of(io, "/c-num"), *n7 = NULL, *not7 = NULL;
  EXPECT_OK(sioe_emitter_to_id(num, 7, &n7, &err));
  emit_expect(n7, "number-room", NULL, NULL, 2);
  EXPECT_OK(sioe_emitter_except_id(num, 7, &not7, &err));
  emit_expect(not7, "not-number-room", NULL, NULL, 2);

  /* compress(false) must arrive. A server drops a volatile packet whenever the client's
   * transport is still writing, by design, so a volatile emit is only checked to be accepted
   * by both servers: it goes to a room nobody is in, and the driver expects nothing of it. */
  sioe_emitter *flags = of(io, "/c-flags"), *comp = NULL, *nobody = NULL, *vol = NULL, *vol_comp = NULL;
  EXPECT_OK(sioe_emitter_compress(flags, false, &comp, &err));
  emit_expect(comp, "flagged", "[1]", NULL, 2);
  EXPECT_OK(sioe_emitter_to(flags, S("nobody"), &nobody, &err));
  EXPECT_OK(sioe_emitter_volatile(nobody, &vol, &err));
  EXPECT_OK(sioe_emitter_compress(vol, false, &vol_comp, &err));
  emit_expect(vol_comp, "flagged-volatile", "[1]", NULL, 2);

  sioe_emitter *list[] = {bc, room, room1, exc, muted, r, r_muted, num, n7, not7, flags, comp, nobody, vol, vol_comp};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) sioe_emitter_free(list[i]);
}

static void binary(const sioe_emitter *io) {
  sioe_emitter *bin = of(io, "/c-bin");
  sioe_buffers *bufs = sioe_buffers_new();
  EXPECT_OK(sioe_buffers_add(bufs, S("\x00\x01\xff"), NULL, &err));
  EXPECT_OK(sioe_buffers_add(bufs, S("hello"), NULL, &err));
  emit_expect(bin, "bin", "[{\"a\":{\"$bin\":0}},{\"$bin\":1},[1,{\"$bin\":0}]]", bufs, 2);
  sioe_buffers_free(bufs);
  sioe_emitter_free(bin);
}

static void server_side(const sioe_emitter *io) {
  sioe_emitter *sj = of(io, "/c-join"), *old = NULL, *fresh = NULL;
  EXPECT_OK(sioe_emitter_to(sj, S("old"), &old, &err));
  uint64_t n = 0;
  EXPECT_OK(sioe_emitter_sockets_join(old, S("[\"new\",5]"), &n, &err));
  CHECK(n == 2, "socketsJoin reached %llu servers", (unsigned long long)n);
  EXPECT_OK(sioe_emitter_to(sj, S("new"), &fresh, &err));
  emit_expect(fresh, "in-new", NULL, NULL, 2);

  sioe_emitter *sl = of(io, "/c-leave"), *go = NULL, *stay = NULL;
  EXPECT_OK(sioe_emitter_sockets_leave(sl, S("\"go\""), NULL, &err));
  EXPECT_OK(sioe_emitter_to(sl, S("go"), &go, &err));
  emit_expect(go, "gone", NULL, NULL, 2);
  EXPECT_OK(sioe_emitter_to(sl, S("stay"), &stay, &err));
  emit_expect(stay, "stayed", NULL, NULL, 2);

  sioe_emitter *dc = of(io, "/c-dc"), *soft = NULL, *hard = NULL;
  EXPECT_OK(sioe_emitter_to(dc, S("soft"), &soft, &err));
  EXPECT_OK(sioe_emitter_disconnect_sockets(soft, false, NULL, &err));
  EXPECT_OK(sioe_emitter_to(dc, S("hard"), &hard, &err));
  EXPECT_OK(sioe_emitter_disconnect_sockets(hard, true, NULL, &err));

  n = 0;
  EXPECT_OK(sioe_emitter_server_side_emit(io, S("server_event"), S("[\"hello\",1]"), NULL, &n, &err));
  CHECK(n == 2, "serverSideEmit reached %llu servers", (unsigned long long)n);

  sioe_emitter *list[] = {sj, old, fresh, sl, go, stay, dc, soft, hard};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) sioe_emitter_free(list[i]);
}

static void queue(const sioe_emitter *io) {
  sioe_emitter *q = of(io, "/c-queue");
  uint64_t last = 0;
  for (int i = 0; i < 50; i++) {
    char json[32];
    int len = snprintf(json, sizeof json, "[%d]", i);
    uint64_t ticket = 0;
    EXPECT_OK(sioe_emitter_enqueue(q, S("q"), json, (size_t)len, NULL, &ticket, &err));
    CHECK(ticket > last, "tickets increase: %llu", (unsigned long long)ticket);
    last = ticket;
  }
  uint64_t sent = 0, receivers = 0;
  EXPECT_OK(sioe_emitter_flush(q, &sent, &receivers, &err));
  CHECK(sent == 50 && receivers == 100, "flush: sent %llu receivers %llu", (unsigned long long)sent,
        (unsigned long long)receivers);
  sioe_emitter_free(q);
}

struct worker {
  const sioe_emitter *em;
  int id;
  int failed;
};

static void *emit_from_thread(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < 10; i++) {
    char json[48];
    int len = snprintf(json, sizeof json, "[%d,%d]", w->id, i);
    if (sioe_emitter_emit(w->em, S("thr"), json, (size_t)len, NULL, NULL, NULL) != SIOE_STATUS_OK)
      w->failed++;
  }
  return NULL;
}

static void threads(const sioe_emitter *io) {
  sioe_emitter *thr = of(io, "/c-thr");
  pthread_t tids[4];
  struct worker ws[4];
  for (int i = 0; i < 4; i++) {
    ws[i] = (struct worker){thr, i, 0};
    CHECK(pthread_create(&tids[i], NULL, emit_from_thread, &ws[i]) == 0, "pthread_create");
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(tids[i], NULL);
    CHECK(ws[i].failed == 0, "thread %d: %d emits failed", i, ws[i].failed);
  }
  sioe_emitter_free(thr);
}

static void strict_and_persistent(const char *url) {
  sioe_options *o = sioe_options_new();
  EXPECT_OK(sioe_options_set_key(o, S("nobody-listens"), &err));
  EXPECT_OK(sioe_options_set_require_receivers(o, true, &err));
  sioe_emitter *strict = NULL;
  EXPECT_OK(sioe_connect(url, strlen(url), o, &strict, &err));
  EXPECT_STATUS(SIOE_STATUS_NO_SUBSCRIBERS, sioe_emitter_emit(strict, S("ev"), NULL, 0, NULL, NULL, &err));
  sioe_emitter_free(strict);
  sioe_options_free(o);

  /* A sharded emitter SPUBLISHes where these classic servers never listen. */
  o = sioe_options_new();
  EXPECT_OK(sioe_options_set_adapter(o, S("sharded"), &err));
  EXPECT_OK(sioe_options_set_require_receivers(o, true, &err));
  EXPECT_OK(sioe_connect(url, strlen(url), o, &strict, &err));
  sioe_error *err = NULL;
  sioe_status s = sioe_emitter_emit(strict, S("ev"), NULL, 0, NULL, NULL, &err);
  CHECK(s == SIOE_STATUS_NO_SUBSCRIBERS && strstr(sioe_error_message(err), "createAdapter"),
        "sharded emitter, classic servers: %s %s", sioe_status_name(s), err ? sioe_error_message(err) : "");
  sioe_error_free(err);
  sioe_emitter_free(strict);
  sioe_options_free(o);

  /* Persistent handles share one connection; freeing them keeps it; closing ends it. */
  o = sioe_options_new();
  EXPECT_OK(sioe_options_set_persistent(o, true, &err));
  sioe_emitter *a = NULL, *b = NULL, *c = NULL;
  EXPECT_OK(sioe_connect(url, strlen(url), o, &a, &err));
  sioe_emitter_free(a);
  EXPECT_OK(sioe_connect(url, strlen(url), o, &b, &err));
  EXPECT_OK(sioe_connect(url, strlen(url), o, &a, &err));
  emit_expect(b, "persistent", NULL, NULL, 2);
  EXPECT_OK(sioe_emitter_close(a, NULL, NULL, &err));
  CHECK(sioe_emitter_is_closed(b), "persistent handles share the connection");
  EXPECT_OK(sioe_connect(url, strlen(url), o, &c, &err));
  CHECK(!sioe_emitter_is_closed(c), "a closed persistent connection is replaced");
  EXPECT_OK(sioe_emitter_close(c, NULL, NULL, &err));
  sioe_emitter_free(a);
  sioe_emitter_free(b);
  sioe_emitter_free(c);
  sioe_options_free(o);
}

void run_interop_tests(const char *url) {
  sioe_emitter *io = NULL;
  EXPECT_OK(sioe_connect(url, strlen(url), NULL, &io, &err));
  if (io == NULL) return;
  targets(io);
  binary(io);
  server_side(io);
  queue(io);
  threads(io);
  strict_and_persistent(url);
  EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
  sioe_emitter_free(io);
}
