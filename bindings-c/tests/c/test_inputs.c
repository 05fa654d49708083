/* Bad inputs, the error object, options, offline encoding, and use after close. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static const char BAD_UTF8[] = {'e', (char)0xff, 'v'};

/* The golden vector target_one_room: to("room1").emit("ev", 1). */
static const char ONE_ROOM_HEX[] =
    "93a7656d697474657283a47479706502a46461746192a2657601a36e7370a12f83a5726f6f6d7391a5726f"
    "6f6d31a5666c61677380a665786365707490";

static int same_hex(const uint8_t *bytes, size_t len, const char *hex) {
  if (strlen(hex) != 2 * len) return 0;
  for (size_t i = 0; i < len; i++) {
    char two[3];
    snprintf(two, sizeof two, "%02x", bytes[i]);
    if (memcmp(two, hex + 2 * i, 2) != 0) return 0;
  }
  return 1;
}

static void error_object_and_names(void) {
  CHECK(strncmp(sioe_version(), "socketio-emitter-c/", 19) == 0, "version %s", sioe_version());
  CHECK(strcmp(sioe_status_name(SIOE_STATUS_RESERVED_EVENT), "RESERVED_EVENT") == 0, "name");
  CHECK(strcmp(sioe_status_name(SIOE_STATUS_PANIC), "PANIC") == 0, "panic name");
  CHECK(strcmp(sioe_status_name(-5), "UNKNOWN") == 0, "unknown name");
  CHECK(sioe_error_code(NULL) == SIOE_STATUS_NULL_ARGUMENT, "code of NULL");
  CHECK(strcmp(sioe_error_message(NULL), "") == 0, "message of NULL");
  sioe_error_free(NULL);
  sioe_emitter_free(NULL);
  sioe_options_free(NULL);
  sioe_buffers_free(NULL);
  sioe_output_free(NULL);
  sioe_buffers_clear(NULL);
  CHECK(sioe_buffers_len(NULL) == 0, "len of NULL");
  CHECK(!sioe_emitter_is_closed(NULL), "is_closed of NULL");
  CHECK(sioe_output_channel(NULL, NULL) == NULL, "channel of NULL");
  CHECK(sioe_output_payload(NULL, NULL) == NULL, "payload of NULL");

  /* The message names the bad argument; err may be NULL. */
  sioe_error *err = NULL;
  CHECK(sioe_emitter_emit(NULL, S("ev"), NULL, 0, NULL, NULL, &err) == SIOE_STATUS_NULL_ARGUMENT,
        "NULL handle");
  CHECK(err && strstr(sioe_error_message(err), "em is NULL"), "message: %s",
        err ? sioe_error_message(err) : "(none)");
  sioe_error_free(err);
  CHECK(sioe_emitter_emit(NULL, S("ev"), NULL, 0, NULL, NULL, NULL) == SIOE_STATUS_NULL_ARGUMENT,
        "NULL err out-parameter is allowed");
}

static void options(void) {
  sioe_options *o = sioe_options_new();
  CHECK(o != NULL, "options_new");
  EXPECT_OK(sioe_options_set_key(o, S("socket.io"), &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_options_set_key(o, BAD_UTF8, 3, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_options_set_key(o, NULL, 3, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_options_set_key(NULL, S("k"), &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_options_set_connect_timeout_ms(o, 0, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_options_set_response_timeout_ms(o, 0, &err));
  EXPECT_OK(sioe_options_set_response_timeout_ms(o, 2000, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_options_set_queue(o, 0, SIOE_QUEUE_FULL_BLOCK, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_options_set_queue(o, 10, 7, &err));
  EXPECT_OK(sioe_options_set_queue(o, 10, SIOE_QUEUE_FULL_ERROR, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_options_set_reconnect(o, 10, 5, 3, &err));
  EXPECT_OK(sioe_options_set_reconnect(o, 10, 50, 0, &err));
  EXPECT_OK(sioe_options_set_require_receivers(o, false, &err));
  EXPECT_OK(sioe_options_set_tls_ca_pem(o, S("not used for redis://"), &err));
  EXPECT_OK(sioe_options_set_persistent(o, false, &err));
  EXPECT_OK(sioe_options_set_adapter(o, S("sharded"), &err));
  EXPECT_OK(sioe_options_set_adapter(o, S("classic"), &err));
  EXPECT_OK(sioe_options_set_subscription_mode(o, S("dynamic-private"), &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_options_set_adapter(o, BAD_UTF8, 3, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_options_set_subscription_mode(o, NULL, 0, &err));
  sioe_options_free(o);

  /* A cluster or sentinels, set in any order; encode-only emitters ignore them. */
  sioe_options *cluster = sioe_options_new(), *sentinel = sioe_options_new();
  EXPECT_OK(sioe_options_set_require_receivers(cluster, true, &err)); /* checked when connecting */
  EXPECT_OK(sioe_options_add_cluster_node(cluster, S("redis://127.0.0.1:7000"), &err));
  EXPECT_OK(sioe_options_add_cluster_node(cluster, S("redis://user:pw@127.0.0.1:7001"), &err));
  EXPECT_OK(sioe_options_set_adapter(cluster, S("sharded"), &err));
  EXPECT_OK(sioe_options_add_sentinel_node(sentinel, S("redis://127.0.0.1:26379"), &err));
  EXPECT_OK(sioe_options_set_sentinel_master(sentinel, S("mymaster"), &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, /* mixes schemes: refused, not added */
                sioe_options_add_sentinel_node(sentinel, S("rediss://:pw@127.0.0.1:26380"), &err));
  EXPECT_OK(sioe_options_add_sentinel_node(sentinel, S("redis://:pw@127.0.0.1:26380"), &err));
  EXPECT_OK(sioe_options_set_sentinel_master(sentinel, S("other"), &err));
  sioe_options *with[] = {cluster, sentinel};
  for (size_t i = 0; i < 2; i++) {
    sioe_emitter *off = NULL;
    sioe_output *out = NULL;
    EXPECT_OK(sioe_offline_with(with[i], &off, &err));
    EXPECT_OK(sioe_emitter_encode_emit(off, S("ev"), S("[1]"), NULL, &out, &err));
    CHECK(out && strcmp(sioe_output_command(out), i == 0 ? "SPUBLISH" : "PUBLISH") == 0, "offline with a topology");
    sioe_output_free(out);
    sioe_emitter_free(off);
  }
  sioe_options_free(cluster);
  sioe_options_free(sentinel);
}

static void connect_errors(void) {
  sioe_emitter *em = NULL;
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_connect(S("http://localhost"), NULL, &em, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_connect(BAD_UTF8, 3, NULL, &em, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_connect(NULL, 0, NULL, &em, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_connect(S("redis://127.0.0.1:1"), NULL, NULL, &err));
  CHECK(em == NULL, "out must stay untouched on failure");

  /* Nobody listens on port 1: a connection error, quickly. */
  sioe_options *o = sioe_options_new();
  EXPECT_OK(sioe_options_set_connect_timeout_ms(o, 500, &err));
  EXPECT_OK(sioe_options_set_reconnect(o, 10, 20, 0, &err));
  sioe_error *err = NULL;
  sioe_status st = sioe_connect(S("redis://127.0.0.1:1"), o, &em, &err);
  CHECK(st == SIOE_STATUS_CONNECTION || st == SIOE_STATUS_TIMEOUT, "got %s", sioe_status_name(st));
  CHECK(em == NULL, "no handle on failure");
  sioe_error_free(err);
  sioe_options_free(o);

  /* The password never appears in messages. */
  err = NULL;
  sioe_connect(S("http://user:s3cret@host"), NULL, &em, &err);
  CHECK(err && !strstr(sioe_error_message(err), "s3cret"), "password leaked: %s",
        err ? sioe_error_message(err) : "");
  sioe_error_free(err);
}

/* Every argument problem, on a handle that can send. */
static void bad_arguments(sioe_emitter *em) {
  sioe_emitter *t = NULL;
  sioe_buffers *bufs = sioe_buffers_new();
  size_t idx = 99;
  EXPECT_OK(sioe_buffers_add(bufs, S("\x01\x02"), &idx, &err));
  CHECK(idx == 0, "first index %zu", idx);
  EXPECT_OK(sioe_buffers_add(bufs, NULL, 0, &idx, &err));
  CHECK(idx == 1 && sioe_buffers_len(bufs) == 2, "second index %zu", idx);
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_buffers_add(bufs, NULL, 2, &idx, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_buffers_add(NULL, S("x"), &idx, &err));

  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_emit(em, NULL, 2, NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_emit(em, S("ev"), NULL, 4, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_emitter_emit(em, BAD_UTF8, 3, NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8,
                sioe_emitter_emit(em, S("ev"), "[\"\xff\"]", 5, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_JSON, sioe_emitter_emit(em, S("ev"), S("[1,"), NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_JSON, sioe_emitter_emit(em, S("ev"), S(""), NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT,
                sioe_emitter_emit(em, S("ev"), S("{\"a\":1}"), NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT,
                sioe_emitter_emit(em, S("ev"), S("[{\"$bin\":2}]"), bufs, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT,
                sioe_emitter_emit(em, S("ev"), S("[{\"$bin\":0}]"), NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT,
                sioe_emitter_emit(em, S("ev"), S("[{\"$bin\":\"x\"}]"), bufs, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_RESERVED_EVENT, sioe_emitter_emit(em, S("connect"), NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_RESERVED_EVENT,
                sioe_emitter_enqueue(em, S("disconnect"), NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_RESERVED_EVENT,
                sioe_emitter_server_side_emit(em, S("connection"), NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_JSON, sioe_emitter_sockets_join(em, S("room"), NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_emitter_sockets_join(em, S("[1.5]"), NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_sockets_leave(em, NULL, 0, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_disconnect_sockets(NULL, false, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_flush(NULL, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_close(NULL, NULL, NULL, &err));

  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_emitter_to(em, BAD_UTF8, 3, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_emitter_except(em, BAD_UTF8, 3, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_UTF8, sioe_emitter_of(em, BAD_UTF8, 3, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_to(em, NULL, 0, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_to(em, S("r"), NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_to(NULL, S("r"), &t, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_to_id(NULL, 7, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_except_id(NULL, 7, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_volatile(NULL, &t, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_compress(em, true, NULL, &err));
  CHECK(t == NULL, "no handle written on failure");
  sioe_buffers_clear(bufs);
  CHECK(sioe_buffers_len(bufs) == 0, "cleared");
  sioe_buffers_free(bufs);
}

static void offline_encoding(void) {
  sioe_emitter *off = NULL, *room = NULL;
  sioe_output *out = NULL;
  EXPECT_OK(sioe_offline(S("socket.io"), &off, &err));
  EXPECT_OK(sioe_emitter_to(off, S("room1"), &room, &err));
  EXPECT_OK(sioe_emitter_encode_emit(room, S("ev"), S("[1]"), NULL, &out, &err));
  size_t clen = 0, plen = 0;
  const char *channel = sioe_output_channel(out, &clen);
  const uint8_t *payload = sioe_output_payload(out, &plen);
  CHECK(channel && strcmp(channel, "socket.io#/#room1#") == 0 && clen == 18, "channel %s", channel);
  CHECK(payload && same_hex(payload, plen, ONE_ROOM_HEX), "payload differs from the golden vector");
  sioe_output_free(out);
  out = NULL;
  EXPECT_OK(sioe_emitter_encode_server_side_emit(off, S("ping"), NULL, 0, NULL, &out, &err));
  payload = sioe_output_payload(out, &plen);
  CHECK(plen == 42 && memcmp(payload, "{\"uid\":\"emitter\",\"type\":6,\"data\":[\"ping\"]}", 42) == 0,
        "server-side payload");
  sioe_output_free(out);
  EXPECT_STATUS(SIOE_STATUS_RESERVED_EVENT,
                sioe_emitter_encode_emit(off, S("connect"), NULL, 0, NULL, &out, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_encode_emit(off, S("ev"), NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_emit(room, S("ev"), NULL, 0, NULL, NULL, &err));
  sioe_emitter_free(room);
  sioe_emitter_free(off);
}

/* sioe_offline_with honours the adapter options: the sharded adapter's command, channel
 * choice (one room has its own channel in the dynamic modes only) and JSON message. */
static void offline_sharded(void) {
  sioe_options *o = sioe_options_new();
  sioe_emitter *classic = NULL, *off = NULL, *room = NULL;
  sioe_output *out = NULL;
  EXPECT_OK(sioe_offline_with(NULL, &classic, &err));
  EXPECT_OK(sioe_emitter_encode_emit(classic, S("ev"), NULL, 0, NULL, &out, &err));
  CHECK(out && strcmp(sioe_output_command(out), "PUBLISH") == 0, "the default adapter is classic");
  sioe_output_free(out);
  CHECK(sioe_output_command(NULL) == NULL, "NULL output");

  EXPECT_OK(sioe_options_set_adapter(o, S("sharded"), &err));
  EXPECT_OK(sioe_options_set_key(o, S("k"), &err));
  const char *modes[] = {"static", "dynamic", "dynamic-private"};
  const char *channels[] = {"k#/#", "k#/#r1#", "k#/#r1#"};
  for (int i = 0; i < 3; i++) {
    EXPECT_OK(sioe_options_set_subscription_mode(o, modes[i], strlen(modes[i]), &err));
    EXPECT_OK(sioe_offline_with(o, &off, &err));
    EXPECT_OK(sioe_emitter_to(off, S("r1"), &room, &err));
    out = NULL;
    EXPECT_OK(sioe_emitter_encode_emit(room, S("ev"), S("[1]"), NULL, &out, &err));
    size_t len = 0;
    const char *channel = sioe_output_channel(out, &len);
    CHECK(out && strcmp(sioe_output_command(out), "SPUBLISH") == 0, "%s: SPUBLISH", modes[i]);
    CHECK(channel && strcmp(channel, channels[i]) == 0, "%s: channel %s", modes[i], channel);
    CHECK(sioe_output_payload(out, &len)[0] == '{', "%s: JSON without binary", modes[i]);
    sioe_output_free(out);
    EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_emit(room, S("ev"), NULL, 0, NULL, NULL, &err));
    sioe_emitter_free(room);
    sioe_emitter_free(off);
  }
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_offline_with(o, NULL, &err));
  sioe_emitter_free(classic);
  sioe_options_free(o);
}

static void use_after_close(const char *url) {
  sioe_emitter *em = NULL, *child = NULL, *later = NULL;
  uint64_t sent = 7, receivers = 7;
  EXPECT_OK(sioe_connect(url, strlen(url), NULL, &em, &err));
  EXPECT_OK(sioe_emitter_of(em, S("/c-closed"), &child, &err));
  bad_arguments(em);
  EXPECT_OK(sioe_emitter_close(child, &sent, &receivers, &err));
  CHECK(sent == 0 && receivers == 0, "nothing was queued: %llu %llu", (unsigned long long)sent,
        (unsigned long long)receivers);
  CHECK(sioe_emitter_is_closed(em) && sioe_emitter_is_closed(child), "closed for every handle");
  EXPECT_OK(sioe_emitter_close(em, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_emit(em, S("ev"), NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_enqueue(child, S("ev"), NULL, 0, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_flush(em, NULL, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_sockets_join(em, S("\"r\""), NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_disconnect_sockets(em, true, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_server_side_emit(em, S("x"), NULL, 0, NULL, NULL, &err));
  EXPECT_OK(sioe_emitter_to(em, S("r"), &later, &err));
  EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_emit(later, S("ev"), NULL, 0, NULL, NULL, &err));
  sioe_emitter_free(later);
  sioe_emitter_free(em);
  sioe_emitter_free(child);
}

/* A child process cannot use its parent's emitter (CLOSED), can free it, and can connect.
 * The child reports through a pipe, not its exit status: the Makefile runs valgrind with
 * --child-silent-after-fork=yes, because a forked image whose other threads are gone makes
 * the blocks those threads owned look lost. */
static void fork_safety(const char *url) {
  sioe_emitter *em = NULL;
  int fds[2];
  EXPECT_OK(sioe_connect(url, strlen(url), NULL, &em, &err));
  CHECK(pipe(fds) == 0, "pipe");
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int bad = 0;
    sioe_emitter *fresh = NULL;
    if (sioe_emitter_emit(em, S("ev"), NULL, 0, NULL, NULL, NULL) != SIOE_STATUS_CLOSED) bad |= 1;
    sioe_emitter_free(em);
    if (sioe_connect(url, strlen(url), NULL, &fresh, NULL) != SIOE_STATUS_OK) {
      bad |= 2;
    } else {
      if (sioe_emitter_emit(fresh, S("from-child"), NULL, 0, NULL, NULL, NULL) != SIOE_STATUS_OK) bad |= 4;
      sioe_emitter_close(fresh, NULL, NULL, NULL);
      sioe_emitter_free(fresh);
    }
    char result = (char)('0' + bad);
    if (write(fds[1], &result, 1) != 1) _exit(9);
    _exit(0);
  }
  close(fds[1]);
  char result = 'x';
  CHECK(read(fds[0], &result, 1) == 1 && result == '0', "child result %c", result);
  close(fds[0]);
  int status = -1;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/waitpid");
  EXPECT_OK(sioe_emitter_emit(em, S("from-parent"), NULL, 0, NULL, NULL, &err));
  EXPECT_OK(sioe_emitter_close(em, NULL, NULL, &err));
  sioe_emitter_free(em);
}

void run_input_tests(const char *redis_url) {
  error_object_and_names();
  options();
  connect_errors();
  offline_encoding();
  offline_sharded();
  use_after_close(redis_url);
  fork_safety(redis_url);
}
