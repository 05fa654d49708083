/* The sharded adapter end to end: `test_sharded REDIS_URL MODE`. tests/run_c_sharded.js
 * runs it once per subscription mode, against two Socket.IO servers with
 * createShardedAdapter in that mode; it connects the recording clients before, and checks
 * what they and the servers received after this exits. Here: statuses and receiver counts. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

static const char *mode;

/* How many servers a broadcast to exactly one room reaches when `members` of the two have
 * sockets in it: static servers hear it on the main channel, all of them; in the dynamic
 * modes it goes to the room's own channel, which only those servers subscribe to. */
static uint64_t one_room(uint64_t members) { return strcmp(mode, "static") == 0 ? 2 : members; }

static sioe_emitter *connect_with(const char *url, const char *adapter, bool strict) {
  sioe_options *o = sioe_options_new();
  sioe_emitter *io = NULL;
  if (adapter != NULL) {
    EXPECT_OK(sioe_options_set_adapter(o, adapter, strlen(adapter), &err));
    EXPECT_OK(sioe_options_set_subscription_mode(o, mode, strlen(mode), &err));
  }
  EXPECT_OK(sioe_options_set_require_receivers(o, strict, &err));
  EXPECT_OK(sioe_connect(url, strlen(url), o, &io, &err));
  sioe_options_free(o);
  return io;
}

static sioe_emitter *derive_of(const sioe_emitter *em, const char *nsp) {
  sioe_emitter *out = NULL;
  EXPECT_OK(sioe_emitter_of(em, nsp, strlen(nsp), &out, &err));
  return out;
}

static sioe_emitter *derive_to(const sioe_emitter *em, const char *room) {
  sioe_emitter *out = NULL;
  EXPECT_OK(sioe_emitter_to(em, room, strlen(room), &out, &err));
  return out;
}

static void emit_expect(const sioe_emitter *em, const char *event, const char *json, const sioe_buffers *bufs,
                        uint64_t want) {
  uint64_t n = 99;
  EXPECT_OK(sioe_emitter_emit(em, event, strlen(event), json, json ? strlen(json) : 0, bufs, &n, &err));
  CHECK(n == want, "%s (%s): %llu receivers, want %llu", event, mode, (unsigned long long)n,
        (unsigned long long)want);
}

static void broadcast_and_rooms(const sioe_emitter *io) {
  sioe_emitter *bc = derive_of(io, "/cs-bc");
  emit_expect(bc, "hello", "[\"world\",42]", NULL, 2);

  sioe_emitter *room = derive_of(io, "cs-room");
  sioe_emitter *room1 = derive_to(room, "room1"), *solo = derive_to(room, "solo");
  emit_expect(room1, "only-room1", NULL, NULL, one_room(2));
  emit_expect(solo, "only-solo", NULL, NULL, one_room(1)); /* members on server 1 only */

  sioe_emitter *list[] = {bc, room, room1, solo};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) sioe_emitter_free(list[i]);
}

/* Binary makes the message msgpack instead of JSON, on the main channel and a room's. */
static void binary(const sioe_emitter *io) {
  sioe_emitter *bin = derive_of(io, "/cs-bin"), *r = derive_to(bin, "r");
  sioe_buffers *bufs = sioe_buffers_new();
  EXPECT_OK(sioe_buffers_add(bufs, S("\xff\x00"), NULL, &err));
  EXPECT_OK(sioe_buffers_add(bufs, S("\x01\x02\x03"), NULL, &err));
  EXPECT_OK(sioe_buffers_add(bufs, S("\x04"), NULL, &err));
  const char *nested = "{\"file\":{\"$bin\":1},\"parts\":[{\"$bin\":2},5]}";
  char args[128];
  snprintf(args, sizeof args, "[{\"$bin\":0},%s]", nested);
  emit_expect(bin, "blob", args, bufs, 2);
  snprintf(args, sizeof args, "[%s]", nested);
  emit_expect(r, "room-blob", args, bufs, one_room(1));

  sioe_output *out = NULL;
  EXPECT_OK(sioe_emitter_encode_emit(r, S("ev"), S("[]"), NULL, &out, &err));
  CHECK(out && strcmp(sioe_output_command(out), "SPUBLISH") == 0, "a sharded emitter encodes for SPUBLISH");
  sioe_output_free(out);
  sioe_buffers_free(bufs);
  sioe_emitter_free(r);
  sioe_emitter_free(bin);
}

static void server_side(const sioe_emitter *io) {
  sioe_emitter *sse = derive_of(io, "/cs-sse");
  sioe_buffers *bufs = sioe_buffers_new();
  EXPECT_OK(sioe_buffers_add(bufs, S("\x09\x08"), NULL, &err));
  uint64_t n = 0;
  EXPECT_OK(sioe_emitter_server_side_emit(sse, S("server_event"), S("[\"payload\",7]"), NULL, &n, &err));
  CHECK(n == 2, "serverSideEmit reached %llu servers", (unsigned long long)n);
  n = 0;
  EXPECT_OK(sioe_emitter_server_side_emit(sse, S("server_event"), S("[{\"$bin\":0}]"), bufs, &n, &err));
  CHECK(n == 2, "binary serverSideEmit reached %llu servers", (unsigned long long)n);
  sioe_buffers_free(bufs);
  sioe_emitter_free(sse);
}

/* A classic emitter PUBLISHes where sharded servers never listen: strict mode says so, and
 * names the likely cause. */
static void mismatch(const char *url) {
  sioe_emitter *classic = connect_with(url, NULL, true);
  sioe_emitter *mm = derive_of(classic, "/cs-mm");
  sioe_error *err = NULL;
  sioe_status s = sioe_emitter_emit(mm, S("lost"), NULL, 0, NULL, NULL, &err);
  CHECK(s == SIOE_STATUS_NO_SUBSCRIBERS, "classic emitter, sharded servers: %s", sioe_status_name(s));
  const char *msg = err ? sioe_error_message(err) : "";
  CHECK(strstr(msg, "createShardedAdapter") && strstr(msg, "SPUBLISH"), "the message names the cause: %s", msg);
  sioe_error_free(err);
  sioe_emitter_free(mm);
  EXPECT_OK(sioe_emitter_close(classic, NULL, NULL, &err));
  sioe_emitter_free(classic);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s REDIS_URL static|dynamic|dynamic-private\n", argv[0]);
    return 2;
  }
  mode = argv[2];
  sioe_emitter *io = connect_with(argv[1], "sharded", false);
  if (io != NULL) {
    broadcast_and_rooms(io);
    binary(io);
    server_side(io);
    EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
    sioe_emitter_free(io);
  }
  mismatch(argv[1]);
  printf("sharded (%s): %d checks, %d failed\n", mode, checks, failures);
  return failures == 0 ? 0 : 1;
}
