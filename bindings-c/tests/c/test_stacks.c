/* The other server stacks end to end: `test_stacks REDIS_URL STACK SID`, where STACK is
 * streams-0.3, streams-0.2 (the Redis Streams adapter, 0.3.1 or 0.2.3) or socket.io-redis-5
 * (socket.io 2.5 with socket.io-redis 5.4), and SID the socket id of the client jn-b in
 * /cs-join. tests/run_c_stacks.js starts the servers and connects the recording clients
 * before, and checks what they received after this exits. Here: statuses, what each emit
 * resolves to, the UNSUPPORTED errors and the encoded XADD. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

static const char *stack;

static bool streams(void) { return strncmp(stack, "streams-", 8) == 0; }

/* What an emit resolves to: on streams 0.3 the servers that read the namespace (both), on
 * 0.2 the one entry stored (Redis cannot tell who reads a stream), on the classic adapter
 * the servers subscribed to the channel (both). */
static uint64_t receivers(void) { return strcmp(stack, "streams-0.2") == 0 ? 1 : 2; }

/* snippet: stacks-options */
/* Servers on @socket.io/redis-streams-adapter 0.3.x, with their own options: */
static sioe_options *streams_options(void) {
  sioe_options *o = sioe_options_new();
  sioe_options_set_adapter(o, "streams", 7, NULL);
  sioe_options_set_streams_version(o, "0.3", 3, NULL); /* the default; "0.2" for 0.1.x-0.2.x */
  sioe_options_set_stream_name(o, "socket.io", 9, NULL); /* streamName */
  sioe_options_set_stream_count(o, 1, NULL);             /* streamCount (0.3 only) */
  sioe_options_set_max_len(o, 10000, NULL);              /* maxLen */
  sioe_options_set_key(o, "socket.io", 9, NULL);         /* channelPrefix */
  return o;
}

/* Servers on socket.io 2.x with socket.io-redis 5.x (the classic adapter, the default): */
static sioe_options *legacy_options(void) {
  sioe_options *o = sioe_options_new();
  sioe_options_set_compat(o, "socket.io-redis-5", 17, NULL);
  return o;
}
/* end snippet */

static sioe_emitter *connect_stack(const char *url) {
  sioe_options *o = NULL;
  if (streams()) {
    o = streams_options();
    const char *version = stack + 8;
    EXPECT_OK(sioe_options_set_streams_version(o, version, strlen(version), &err));
  } else {
    o = legacy_options();
  }
  sioe_emitter *io = NULL;
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

static sioe_emitter *derive_except(const sioe_emitter *em, const char *room) {
  sioe_emitter *out = NULL;
  EXPECT_OK(sioe_emitter_except(em, room, strlen(room), &out, &err));
  return out;
}

static void emit_expect(const sioe_emitter *em, const char *event, const char *json, const sioe_buffers *bufs) {
  uint64_t n = 99;
  EXPECT_OK(sioe_emitter_emit(em, event, strlen(event), json, json ? strlen(json) : 0, bufs, &n, &err));
  CHECK(n == receivers(), "%s (%s): resolved to %llu, want %llu", event, stack, (unsigned long long)n,
        (unsigned long long)receivers());
}

/* An operation the stack cannot honour: UNSUPPORTED, with the message's format. */
static void expect_unsupported(sioe_status s, sioe_error *err, const char *operation) {
  const char *msg = err ? sioe_error_message(err) : "";
  CHECK(s == SIOE_STATUS_UNSUPPORTED && err && sioe_error_code(err) == SIOE_STATUS_UNSUPPORTED,
        "%s: got %s (%s)", operation, sioe_status_name(s), msg);
  char want[128];
  snprintf(want, sizeof want, "unsupported: %s is not possible with ", operation);
  CHECK(strncmp(msg, want, strlen(want)) == 0 && strstr(msg, "(compat \"socket.io-redis-5\")"),
        "%s: the message: %s", operation, msg);
  sioe_error_free(err);
}

static void broadcast_and_rooms(const sioe_emitter *io) {
  sioe_emitter *bc = derive_of(io, "/cs-bc"), *room1 = derive_to(bc, "room1");
  emit_expect(bc, "hello", "[\"world\",42]", NULL);
  emit_expect(room1, "only-room1", NULL, NULL);
  sioe_emitter_free(room1);
  sioe_emitter_free(bc);
}

/* Nested binary (msgpack on every stack; socket.io 2 needs packet type 5 to frame it as
 * binary) and a date, which JSON text carries as the ISO text a JS Date becomes. */
static void binary_and_date(const sioe_emitter *io) {
  sioe_emitter *bin = derive_of(io, "/cs-bin");
  sioe_buffers *bufs = sioe_buffers_new();
  EXPECT_OK(sioe_buffers_add(bufs, S("\xff\x00"), NULL, &err));
  EXPECT_OK(sioe_buffers_add(bufs, S("\x01\x02\x03"), NULL, &err));
  EXPECT_OK(sioe_buffers_add(bufs, S("\x04"), NULL, &err));
  emit_expect(bin, "blob",
              "[{\"$bin\":0},{\"file\":{\"$bin\":1},\"parts\":[{\"$bin\":2},5],\"at\":\"2023-11-14T22:13:20.123Z\"}]",
              bufs);
  emit_expect(bin, "date", "[\"2023-11-14T22:13:20.123Z\"]", NULL);
  sioe_buffers_free(bufs);
  sioe_emitter_free(bin);
}

/* except: streams servers honour it; socket.io-redis 5 reads except as socket ids only, so
 * the emitter refuses it and publishes nothing. */
static void except(const sioe_emitter *io) {
  sioe_emitter *ex = derive_of(io, "/cs-ex"), *muted = derive_except(ex, "muted");
  if (streams()) {
    emit_expect(muted, "not-muted", NULL, NULL);
  } else {
    sioe_error *err = NULL;
    sioe_status s = sioe_emitter_emit(muted, S("not-muted"), NULL, 0, NULL, NULL, &err);
    expect_unsupported(s, err, "except");
  }
  sioe_emitter_free(muted);
  sioe_emitter_free(ex);
}

static void join(const sioe_emitter *io, const char *sid) {
  sioe_emitter *jn = derive_of(io, "/cs-join");
  uint64_t n = 0;
  if (streams()) {
    EXPECT_OK(sioe_emitter_sockets_join(jn, S("\"new\""), &n, &err));
  } else {
    /* socket.io-redis 5 joins one socket, by its id, to one room, and nothing else. */
    sioe_error *err = NULL;
    sioe_status s = sioe_emitter_sockets_join(jn, S("\"new\""), &n, &err);
    expect_unsupported(s, err, "socketsJoin");
    err = NULL;
    s = sioe_emitter_server_side_emit(jn, S("server_event"), NULL, 0, NULL, &n, &err);
    expect_unsupported(s, err, "serverSideEmit");
    sioe_emitter *one = derive_to(jn, sid);
    EXPECT_OK(sioe_emitter_sockets_join(one, S("\"new\""), &n, &err));
    sioe_emitter_free(one);
  }
  CHECK(n == receivers(), "socketsJoin (%s): resolved to %llu", stack, (unsigned long long)n);
  sioe_emitter *in_new = derive_to(jn, "new");
  emit_expect(in_new, "in-new", NULL, NULL);
  sioe_emitter_free(in_new);
  sioe_emitter_free(jn);
}

/* Adapter "auto" finds the stack's adapter (and streams version) in Redis; the classic
 * adapter's older stacks keep their compat. A key with no server is DETECTION_FAILED. */
static void auto_detected(const char *url) {
  sioe_options *o = streams() ? sioe_options_new() : legacy_options();
  EXPECT_OK(sioe_options_set_adapter(o, S("auto"), &err));
  sioe_emitter *io = NULL;
  EXPECT_OK(sioe_connect(url, strlen(url), o, &io, &err));
  if (io != NULL) {
    sioe_emitter *ns = derive_of(io, "/cs-auto");
    emit_expect(ns, "detected", "[1]", NULL);
    sioe_emitter_free(ns);
    EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
    sioe_emitter_free(io);
  }
  /* Streams 0.2 servers have no key: they are found on their stream. */
  EXPECT_OK(sioe_options_set_key(o, S("nobody-here"), &err));
  EXPECT_OK(sioe_options_set_stream_name(o, S("nobody-here"), &err));
  sioe_emitter *none = NULL;
  sioe_error *err = NULL;
  sioe_status s = sioe_connect(url, strlen(url), o, &none, &err);
  const char *msg = err ? sioe_error_message(err) : "";
  CHECK(s == SIOE_STATUS_DETECTION_FAILED && s == 16 && err && sioe_error_code(err) == s && none == NULL,
        "auto without servers (%s): got %s (%s)", stack, sioe_status_name(s), msg);
  CHECK(strstr(msg, "no Socket.IO server listens on key nobody-here, namespace /; servers listen on: ") != NULL &&
            strstr(msg, " socket.io, namespace /: 2 servers") != NULL,
        "auto without servers (%s): the message: %s", stack, msg);
  sioe_error_free(err);
  sioe_options_free(o);
}

/* For the dropped recovery client (in r1) of tests/run_c_stacks.js: written to the stream,
 * so replayed when it comes back; the other client (in r2) gets them live. */
static void missed(const sioe_emitter *io) {
  sioe_emitter *csr = derive_of(io, "/cs-csr"), *r1 = derive_to(csr, "r1"), *r2 = derive_to(csr, "r2");
  sioe_buffers *bufs = sioe_buffers_new();
  EXPECT_OK(sioe_buffers_add(bufs, S("\x01\x02"), NULL, &err));
  emit_expect(csr, "missed", "[1]", NULL);
  emit_expect(r1, "missed-room", "[{\"$bin\":0}]", bufs);
  emit_expect(r2, "not-for-csr", NULL, NULL);
  sioe_buffers_free(bufs);
  sioe_emitter_free(r2);
  sioe_emitter_free(r1);
  sioe_emitter_free(csr);
}

/* snippet: stacks-xadd */
/* Encode only, for your own Redis client: an XADD is more than a channel and a payload, so
 * send the whole command, one binary-safe argument each. */
static void print_command(const sioe_emitter *offline_streams) {
  sioe_output *out = NULL;
  sioe_error *err = NULL;
  if (sioe_emitter_encode_emit(offline_streams, "hello", 5, "[1]", 3, NULL, &out, &err) != SIOE_STATUS_OK) {
    fprintf(stderr, "%s\n", sioe_error_message(err));
    sioe_error_free(err);
    return;
  }
  /* XADD socket.io MAXLEN ~ 10000 * uid emitter nsp / type 3 data {"packet":...} */
  for (size_t i = 0; i < sioe_output_arg_count(out); i++) {
    size_t len = 0;
    const uint8_t *arg = sioe_output_arg(out, i, &len);
    printf("%s%.*s", i ? " " : "", (int)len, (const char *)arg); /* or redisCommandArgv */
  }
  printf("\n");
  sioe_output_free(out); /* the arguments go with it */
}
/* end snippet */

static void encoded_xadd(void) {
  sioe_options *o = streams_options();
  sioe_emitter *off = NULL;
  EXPECT_OK(sioe_offline_with(o, &off, &err));
  sioe_options_free(o);
  print_command(off);
  sioe_output *out = NULL;
  sioe_emitter *admin = derive_of(off, "/admin");
  EXPECT_OK(sioe_emitter_encode_sockets_join(admin, S("[\"r\"]"), &out, &err));
  const char *want[] = {"XADD", "socket.io", "MAXLEN", "~",    "10000", "*", "uid", "emitter",
                        "nsp",  "/admin",    "type",   "4",    "data",
                        "{\"opts\":{\"rooms\":[],\"except\":[],\"flags\":{}},\"rooms\":[\"r\"]}"};
  size_t count = sioe_output_arg_count(out);
  CHECK(count == sizeof want / sizeof want[0], "XADD has %zu arguments", count);
  for (size_t i = 0; i < count && i < sizeof want / sizeof want[0]; i++) {
    size_t len = 99;
    const uint8_t *arg = sioe_output_arg(out, i, &len);
    CHECK(len == strlen(want[i]) && memcmp(arg, want[i], len) == 0 && arg[len] == '\0', "argument %zu: %.*s", i,
          (int)len, (const char *)arg);
  }
  size_t len = 99;
  CHECK(sioe_output_arg(out, count, &len) == NULL && len == 0, "past the last argument: NULL, length 0");
  CHECK(sioe_output_arg(NULL, 0, &len) == NULL && len == 0 && sioe_output_arg_count(NULL) == 0, "NULL output");
  CHECK(sioe_output_arg(out, 0, NULL) != NULL, "len may be NULL");
  CHECK(strcmp(sioe_output_command(out), "XADD") == 0, "the command");
  sioe_output_free(out);
  /* A classic output is three arguments: PUBLISH, channel, payload. */
  sioe_emitter *classic = NULL;
  EXPECT_OK(sioe_offline(S("socket.io"), &classic, &err));
  EXPECT_OK(sioe_emitter_encode_emit(classic, S("ev"), S("[]"), NULL, &out, &err));
  size_t plen = 0, alen = 0;
  const uint8_t *payload = sioe_output_payload(out, &plen);
  CHECK(sioe_output_arg_count(out) == 3 && sioe_output_arg(out, 2, &alen) == payload && alen == plen,
        "PUBLISH channel payload");
  sioe_output_free(out);
  sioe_emitter_free(classic);
  sioe_emitter_free(admin);
  sioe_emitter_free(off);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s REDIS_URL streams-0.3|streams-0.2|socket.io-redis-5 SID\n", argv[0]);
    return 2;
  }
  stack = argv[2];
  sioe_emitter *io = connect_stack(argv[1]);
  if (io != NULL) {
    broadcast_and_rooms(io);
    binary_and_date(io);
    except(io);
    join(io, argv[3]);
    if (streams()) missed(io);
    EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
    sioe_emitter_free(io);
  }
  auto_detected(argv[1]);
  encoded_xadd();
  printf("stacks (%s): %d checks, %d failed\n", stack, checks, failures);
  return failures == 0 ? 0 : 1;
}
