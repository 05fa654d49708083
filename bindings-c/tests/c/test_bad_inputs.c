/* Bad inputs, one table: every row is one call with one bad value and the status it must
 * give, the text its message must contain, and the password it must never show. Part of
 * the fault program (test_faults.c). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

void run_bad_input_tests(const char *redis_url);

#define PASSWORD "s3cret-pw"

static const char BAD_UTF8[] = {'e', (char)0xff, 'v'};

/* What a row's call may use: live options, a connected emitter, an emitter whose payloads
 * are bounded at 1 KiB, and a few prepared arguments. */
static struct {
  const char *url;
  sioe_options *opts;
  sioe_emitter *io, *small;
  char *nested_512, *nested_513, *nested_huge, *big;
} ctx;

struct row {
  int line;
  const char *what;
  sioe_status want;
  const char *needle; /* the message must contain it (NULL: anything) */
  sioe_status (*call)(sioe_error **err);
};

/* ---- the calls, one per row (a C table cannot hold expressions) ---- */

#define CALL_FN(name, body)                                   \
  static sioe_status name(sioe_error **err) { return body; }

static sioe_status connect_url(const char *u, const sioe_options *o, sioe_error **err) {
  sioe_emitter *em = NULL;
  sioe_status s = sioe_connect(u, strlen(u), o, &em, err);
  sioe_emitter_close_timeout(em, 1000, NULL, NULL);
  sioe_emitter_free(em);
  return s;
}

static sioe_status emit_args(sioe_emitter *em, const char *args, sioe_error **err) {
  return sioe_emitter_emit(em, S("ev"), args, strlen(args), NULL, NULL, err);
}

CALL_FN(connect_timeout_huge, sioe_options_set_connect_timeout_ms(ctx.opts, UINT64_MAX, err))
CALL_FN(connect_timeout_day_plus, sioe_options_set_connect_timeout_ms(ctx.opts, 86400001, err))
CALL_FN(connect_timeout_zero, sioe_options_set_connect_timeout_ms(ctx.opts, 0, err))
CALL_FN(response_timeout_huge, sioe_options_set_response_timeout_ms(ctx.opts, UINT64_MAX / 2, err))
CALL_FN(duration_negative, sioe_options_set_duration_ms(ctx.opts, SIOE_DURATION_CONNECT_TIMEOUT, -5, err))
CALL_FN(duration_nan, sioe_options_set_duration_ms(ctx.opts, SIOE_DURATION_RESPONSE_TIMEOUT, NAN, err))
CALL_FN(duration_inf, sioe_options_set_duration_ms(ctx.opts, SIOE_DURATION_RECONNECT_MIN_DELAY, INFINITY, err))
CALL_FN(duration_huge, sioe_options_set_duration_ms(ctx.opts, SIOE_DURATION_RECONNECT_MAX_DELAY, 1e300, err))
CALL_FN(duration_unknown, sioe_options_set_duration_ms(ctx.opts, 42, 10, err))
CALL_FN(duration_ok, sioe_options_set_duration_ms(ctx.opts, SIOE_DURATION_CONNECT_TIMEOUT, 1500.5, err))
CALL_FN(reconnect_huge, sioe_options_set_reconnect(ctx.opts, 1, UINT64_MAX, 3, err))
CALL_FN(reconnect_attempts, sioe_options_set_reconnect(ctx.opts, 1, 2, 1001, err))
CALL_FN(queue_zero, sioe_options_set_queue(ctx.opts, 0, SIOE_QUEUE_FULL_BLOCK, err))
CALL_FN(queue_2_62, sioe_options_set_queue(ctx.opts, (size_t)1 << 62, SIOE_QUEUE_FULL_BLOCK, err))
CALL_FN(queue_2_32, sioe_options_set_queue(ctx.opts, (size_t)1 << 32, SIOE_QUEUE_FULL_BLOCK, err))
CALL_FN(queue_max_ok, sioe_options_set_queue(ctx.opts, UINT32_MAX, SIOE_QUEUE_FULL_BLOCK, err))
CALL_FN(queue_policy, sioe_options_set_queue(ctx.opts, 10, 7, err))
CALL_FN(queue_bytes_zero, sioe_options_set_queue_max_bytes(ctx.opts, 0, err))
CALL_FN(payload_zero, sioe_options_set_max_payload_bytes(ctx.opts, 0, err))
CALL_FN(payload_over, sioe_options_set_max_payload_bytes(ctx.opts, (512u << 20) + 1, err))
CALL_FN(payload_max_ok, sioe_options_set_max_payload_bytes(ctx.opts, 512u << 20, err))
CALL_FN(adapter_unknown, sioe_options_set_adapter(ctx.opts, S("kafka"), err))
CALL_FN(adapter_case, sioe_options_set_adapter(ctx.opts, S("Sharded"), err))
CALL_FN(adapter_empty, sioe_options_set_adapter(ctx.opts, S(""), err))
CALL_FN(mode_unknown, sioe_options_set_subscription_mode(ctx.opts, S("private"), err))
CALL_FN(mode_underscore, sioe_options_set_subscription_mode(ctx.opts, S("dynamic_private"), err))
CALL_FN(mode_ok, sioe_options_set_subscription_mode(ctx.opts, S("static"), err))

/* The server-stack options: each value is checked when set (on fresh options, so that the
 * shared ones keep their defaults), how they combine by sioe_connect and sioe_offline_with. */
static sioe_status with_fresh(sioe_status (*set)(sioe_options *o, sioe_error **err), sioe_error **err) {
  sioe_options *o = sioe_options_new();
  sioe_status s = set(o, err);
  sioe_options_free(o);
  return s;
}
#define FRESH_FN(name, body)                                                      \
  static sioe_status name##_set(sioe_options *o, sioe_error **err) { return body; } \
  CALL_FN(name, with_fresh(name##_set, err))
FRESH_FN(stream_name_empty, sioe_options_set_stream_name(o, S(""), err))
FRESH_FN(stream_name_null, sioe_options_set_stream_name(o, NULL, 3, err))
FRESH_FN(stream_name_utf8, sioe_options_set_stream_name(o, BAD_UTF8, 3, err))
FRESH_FN(stream_name_ok, sioe_options_set_stream_name(o, S("my-stream"), err))
FRESH_FN(stream_count_zero, sioe_options_set_stream_count(o, 0, err))
FRESH_FN(stream_count_over, sioe_options_set_stream_count(o, 1025, err))
FRESH_FN(stream_count_max_ok, sioe_options_set_stream_count(o, 1024, err))
FRESH_FN(max_len_zero, sioe_options_set_max_len(o, 0, err))
FRESH_FN(max_len_over, sioe_options_set_max_len(o, ((uint64_t)1 << 40) + 1, err))
FRESH_FN(max_len_huge, sioe_options_set_max_len(o, UINT64_MAX, err))
FRESH_FN(max_len_max_ok, sioe_options_set_max_len(o, (uint64_t)1 << 40, err))
FRESH_FN(streams_version_unknown, sioe_options_set_streams_version(o, S("0.4"), err))
FRESH_FN(streams_version_v, sioe_options_set_streams_version(o, S("v0.3"), err))
FRESH_FN(streams_version_empty, sioe_options_set_streams_version(o, S(""), err))
FRESH_FN(streams_version_null, sioe_options_set_streams_version(o, NULL, 3, err))
FRESH_FN(streams_version_full_ok, sioe_options_set_streams_version(o, S("0.2.3"), err))
FRESH_FN(compat_unknown, sioe_options_set_compat(o, S("redis-adapter-9"), err))
FRESH_FN(compat_case, sioe_options_set_compat(o, S("Socket.io-redis-5"), err))
FRESH_FN(compat_utf8, sioe_options_set_compat(o, BAD_UTF8, 3, err))
FRESH_FN(compat_null, sioe_options_set_compat(o, NULL, 1, err))
FRESH_FN(compat_ok, sioe_options_set_compat(o, S("socket.io-redis-6.0"), err))

/* Options for the combinations: an adapter (or NULL), a streams version (or NULL), a stream
 * count, a compat (or NULL), require_receivers; then sioe_connect (to the fixture's Redis) or
 * sioe_offline_with. Every setter must succeed: the refusal comes from the combination. */
static sioe_status combine(const char *adapter, const char *version, uint32_t count, const char *compat, bool strict,
                           bool offline, sioe_error **err) {
  sioe_options *o = sioe_options_new();
  sioe_emitter *em = NULL;
  sioe_status s = SIOE_STATUS_OK;
  if (adapter) s = sioe_options_set_adapter(o, adapter, strlen(adapter), NULL);
  if (!s && version) s = sioe_options_set_streams_version(o, version, strlen(version), NULL);
  if (!s) s = sioe_options_set_stream_count(o, count, NULL);
  if (!s && compat) s = sioe_options_set_compat(o, compat, strlen(compat), NULL);
  if (!s) s = sioe_options_set_require_receivers(o, strict, NULL);
  if (s != SIOE_STATUS_OK) {
    s = SIOE_STATUS_PANIC; /* a setter refused a value on its own: the row fails */
  } else if (offline) {
    s = sioe_offline_with(o, &em, err);
  } else {
    s = sioe_connect(ctx.url, strlen(ctx.url), o, &em, err);
    sioe_emitter_close_timeout(em, 1000, NULL, NULL);
  }
  sioe_emitter_free(em);
  sioe_options_free(o);
  return s;
}
CALL_FN(compat_streams, combine("streams", NULL, 1, "socket.io-redis-5", false, false, err))
CALL_FN(compat_streams_offline, combine("streams", NULL, 1, "socket.io-redis-5", false, true, err))
CALL_FN(compat_sharded, combine("sharded", NULL, 1, "redis-adapter-7", false, false, err))
CALL_FN(compat_default_streams_ok, combine("streams", NULL, 1, "redis-adapter-8", false, true, err))
CALL_FN(count_v02, combine("streams", "0.2", 4, NULL, false, false, err))
CALL_FN(count_v02_offline, combine("streams", "0.2.3", 2, NULL, false, true, err))
CALL_FN(count_v03_ok, combine("streams", "0.3.1", 4, NULL, false, true, err))
CALL_FN(strict_v02, combine("streams", "0.2", 1, NULL, true, false, err))
CALL_FN(strict_v03_ok, combine("streams", "0.3", 1, NULL, true, false, err))
CALL_FN(compat_classic_ok, combine(NULL, NULL, 1, "socket.io-redis-5", true, false, err))

static sioe_status delays_out_of_order(sioe_error **err) {
  sioe_options *o = sioe_options_new();
  sioe_options_set_duration_ms(o, SIOE_DURATION_RECONNECT_MIN_DELAY, 5000, NULL);
  sioe_status s = connect_url(ctx.url, o, err);
  sioe_options_free(o);
  return s;
}

CALL_FN(flush_negative, sioe_emitter_flush_timeout(ctx.io, -1, NULL, err))
CALL_FN(flush_nan, sioe_emitter_flush_timeout(ctx.io, NAN, NULL, err))
CALL_FN(flush_huge, sioe_emitter_flush_timeout(ctx.io, 1e300, NULL, err))
CALL_FN(close_negative, sioe_emitter_close_timeout(ctx.io, -0.5, NULL, err))
CALL_FN(close_minus_inf, sioe_emitter_close_timeout(ctx.io, -INFINITY, NULL, err))

CALL_FN(payload_exceeded, emit_args(ctx.small, ctx.big, err))
static sioe_status payload_exceeded_enqueue(sioe_error **err) {
  return sioe_emitter_enqueue(ctx.small, S("ev"), ctx.big, strlen(ctx.big), NULL, NULL, err);
}
CALL_FN(payload_fits, emit_args(ctx.small, "[\"small\"]", err))

CALL_FN(empty_event_emit, sioe_emitter_emit(ctx.io, "", 0, NULL, 0, NULL, NULL, err))
CALL_FN(empty_event_enqueue, sioe_emitter_enqueue(ctx.io, "", 0, NULL, 0, NULL, NULL, err))
CALL_FN(empty_event_server, sioe_emitter_server_side_emit(ctx.io, "", 0, NULL, 0, NULL, NULL, err))
CALL_FN(reserved_event, sioe_emitter_emit(ctx.io, S("connect"), NULL, 0, NULL, NULL, err))

CALL_FN(nested_512, emit_args(ctx.io, ctx.nested_512, err))
CALL_FN(nested_513, emit_args(ctx.io, ctx.nested_513, err))
CALL_FN(nested_huge, emit_args(ctx.io, ctx.nested_huge, err))
static sioe_status nested_513_enqueue(sioe_error **err) {
  return sioe_emitter_enqueue(ctx.io, S("ev"), ctx.nested_513, strlen(ctx.nested_513), NULL, NULL, err);
}

/* Deep arguments on a thread with a small stack (a JVM thread has 1 MiB, this one 256 KiB):
 * the library does the deep work on a thread of its own. */
struct deep_call {
  const char *args;
  sioe_status status;
  sioe_error *err;
};

static void *deep_emit(void *p) {
  struct deep_call *c = p;
  c->status = emit_args(ctx.io, c->args, &c->err);
  return NULL;
}

static sioe_status on_small_stack(const char *args, sioe_error **err) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  struct deep_call c = {args, SIOE_STATUS_PANIC, NULL};
  pthread_t t;
  if (pthread_create(&t, &attr, deep_emit, &c) != 0) return SIOE_STATUS_PANIC;
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  *err = c.err;
  return c.status;
}
CALL_FN(nested_512_small_stack, on_small_stack(ctx.nested_512, err))
CALL_FN(nested_513_small_stack, on_small_stack(ctx.nested_513, err))

CALL_FN(utf8_event, sioe_emitter_emit(ctx.io, BAD_UTF8, 3, NULL, 0, NULL, NULL, err))
static sioe_status utf8_args(sioe_error **err) {
  const char args[] = {'[', '"', (char)0xc3, '"', ']'};
  return sioe_emitter_emit(ctx.io, S("ev"), args, sizeof args, NULL, NULL, err);
}
static sioe_status utf8_room(sioe_error **err) {
  sioe_emitter *t = NULL;
  sioe_status s = sioe_emitter_to(ctx.io, BAD_UTF8, 3, &t, err);
  sioe_emitter_free(t);
  return s;
}
CALL_FN(json_truncated, emit_args(ctx.io, "[1,", err))
CALL_FN(json_trailing, emit_args(ctx.io, "[1] x", err))
CALL_FN(json_empty, emit_args(ctx.io, " ", err))
CALL_FN(json_not_array, emit_args(ctx.io, "{\"a\":1}", err))
CALL_FN(json_bad_bin, emit_args(ctx.io, "[{\"$bin\":3}]", err))
static sioe_status json_rooms(sioe_error **err) {
  return sioe_emitter_sockets_join(ctx.io, S("[\"a\","), NULL, err);
}

CALL_FN(url_http, connect_url("http://127.0.0.1:6379", NULL, err))
CALL_FN(url_empty, connect_url("", NULL, err))
CALL_FN(url_unix, connect_url("unix:///tmp/redis.sock", NULL, err))
CALL_FN(url_no_scheme, connect_url("127.0.0.1:6379", NULL, err))
CALL_FN(url_http_password, connect_url("http://alice:" PASSWORD "@127.0.0.1:6379", NULL, err))
CALL_FN(url_encoded_password, connect_url("ftp://alice:s3cret%2Dpw@127.0.0.1", NULL, err))
static sioe_status url_refused_password(sioe_error **err) {
  sioe_options *o = sioe_options_new();
  sioe_options_set_connect_timeout_ms(o, 300, NULL);
  sioe_options_set_response_timeout_ms(o, 300, NULL);
  sioe_status s = connect_url("redis://alice:" PASSWORD "@127.0.0.1:1", o, err);
  sioe_options_free(o);
  return s;
}
static sioe_status url_wrong_password(sioe_error **err) {
  /* The harness's Redis has no password: AUTH fails, and the message must not echo it. */
  char u[256];
  const char *hostport = strstr(ctx.url, "://");
  snprintf(u, sizeof u, "redis://alice:%s@%s", PASSWORD, hostport ? hostport + 3 : ctx.url);
  return connect_url(u, NULL, err);
}

/* Redis Cluster and Sentinel: each row on options of its own. `topology` adds up to two
 * cluster nodes, a sentinel master and up to two sentinels (NULL: not set; the options are
 * left as they were when one is refused) and, when `url` is not "-", connects with it (NULL:
 * the NULL URL a cluster takes); the last status is the row's. */
static sioe_status topology(const char *cluster1, const char *cluster2, const char *master, const char *sentinel1,
                            const char *sentinel2, bool strict, const char *url, sioe_error **err) {
  sioe_options *o = sioe_options_new();
  sioe_options_set_connect_timeout_ms(o, 300, NULL);
  sioe_options_set_response_timeout_ms(o, 300, NULL);
  sioe_options_set_reconnect(o, 10, 20, 0, NULL);
  sioe_options_set_require_receivers(o, strict, NULL);
  sioe_status s = SIOE_STATUS_OK;
  const char *steps[][2] = {{"c", cluster1}, {"c", cluster2}, {"m", master}, {"s", sentinel1}, {"s", sentinel2}};
  for (size_t i = 0; i < 5 && s == SIOE_STATUS_OK; i++) {
    const char *v = steps[i][1];
    if (v == NULL) continue;
    if (steps[i][0][0] == 'c')
      s = sioe_options_add_cluster_node(o, v, strlen(v), err);
    else if (steps[i][0][0] == 'm')
      s = sioe_options_set_sentinel_master(o, v, strlen(v), err);
    else
      s = sioe_options_add_sentinel_node(o, v, strlen(v), err);
  }
  if (s == SIOE_STATUS_OK && (url == NULL || strcmp(url, "-") != 0)) {
    sioe_emitter *em = NULL;
    s = sioe_connect(url, url ? strlen(url) : 0, o, &em, err);
    sioe_emitter_close_timeout(em, 1000, NULL, NULL);
    sioe_emitter_free(em);
  }
  sioe_options_free(o);
  return s;
}

#define NODE "redis://alice:" PASSWORD "@127.0.0.1:1"
CALL_FN(cluster_null_opts, sioe_options_add_cluster_node(NULL, S(NODE), err))
CALL_FN(cluster_null, sioe_options_add_cluster_node(ctx.opts, NULL, 5, err))
CALL_FN(cluster_utf8, sioe_options_add_cluster_node(ctx.opts, BAD_UTF8, 3, err))
CALL_FN(cluster_empty, topology("", NULL, NULL, NULL, NULL, false, "-", err))
CALL_FN(cluster_http, topology("http://alice:" PASSWORD "@127.0.0.1:7000", NULL, NULL, NULL, NULL, false, "-", err))
CALL_FN(cluster_no_host, topology("redis://alice:" PASSWORD "@", NULL, NULL, NULL, NULL, false, "-", err))
CALL_FN(cluster_garbage, topology("not a url " PASSWORD, NULL, NULL, NULL, NULL, false, "-", err))
CALL_FN(cluster_mixed, topology("redis://a:7000", "rediss://b:7000", NULL, NULL, NULL, false, "-", err))
CALL_FN(cluster_ok, topology(NODE, "redis://127.0.0.1:2", NULL, NULL, NULL, false, "-", err))
/* A refused node is not added: the NULL URL is then not allowed either. */
static sioe_status cluster_refused_not_added(sioe_error **err) {
  sioe_options *o = sioe_options_new();
  sioe_emitter *em = NULL;
  sioe_status s = sioe_options_add_cluster_node(o, S("http://x:1"), NULL);
  if (s == SIOE_STATUS_INVALID_ARGUMENT) s = sioe_connect(NULL, 0, o, &em, err);
  sioe_emitter_free(em);
  sioe_options_free(o);
  return s;
}
CALL_FN(cluster_and_url, topology(NODE, NULL, NULL, NULL, NULL, false, "redis://bob:" PASSWORD "@10.0.0.1:6379", err))
CALL_FN(cluster_strict_classic, topology(NODE, NULL, NULL, NULL, NULL, true, NULL, err))
CALL_FN(cluster_and_sentinel, topology(NODE, NULL, "mymaster", NODE, NULL, false, NULL, err))
CALL_FN(cluster_unreachable, topology(NODE, NULL, NULL, NULL, NULL, false, NULL, err))
CALL_FN(sentinel_master_null, sioe_options_set_sentinel_master(ctx.opts, NULL, 0, err))
CALL_FN(sentinel_master_utf8, sioe_options_set_sentinel_master(ctx.opts, BAD_UTF8, 3, err))
CALL_FN(sentinel_master_empty, topology(NULL, NULL, "", NULL, NULL, false, "-", err))
CALL_FN(sentinel_node_null, sioe_options_add_sentinel_node(ctx.opts, NULL, 1, err))
CALL_FN(sentinel_node_utf8, sioe_options_add_sentinel_node(ctx.opts, BAD_UTF8, 3, err))
CALL_FN(sentinel_node_http, topology(NULL, NULL, "mymaster", "http://:" PASSWORD "@127.0.0.1:26379", NULL, false, "-", err))
CALL_FN(sentinel_node_empty, topology(NULL, NULL, "mymaster", "", NULL, false, "-", err))
CALL_FN(sentinel_mixed, topology(NULL, NULL, "mymaster", "redis://a:1", "rediss://b:1", false, "-", err))
CALL_FN(sentinel_no_nodes, topology(NULL, NULL, "mymaster", NULL, NULL, false, NULL, err))
CALL_FN(sentinel_no_master, topology(NULL, NULL, NULL, NODE, NULL, false, NULL, err))
CALL_FN(sentinel_bad_url, topology(NULL, NULL, "mymaster", NODE, NULL, false, "http://:" PASSWORD "@m", err))
CALL_FN(sentinel_unreachable,
        topology(NULL, NULL, "mymaster", NODE, "redis://:" PASSWORD "@127.0.0.1:2", false, "redis://:" PASSWORD "@m/1", err))
CALL_FN(null_url_standalone, topology(NULL, NULL, NULL, NULL, NULL, false, NULL, err))

#define ROW(want, needle, fn) {__LINE__, #fn, want, needle, fn}

static const struct row ROWS[] = {
    /* durations: huge, past one day, zero, negative, NaN, infinite */
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "connect_timeout_ms", connect_timeout_huge),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "86400000", connect_timeout_day_plus),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "greater than zero", connect_timeout_zero),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "response_timeout_ms", response_timeout_huge),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "-5", duration_negative),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "response_timeout_ms", duration_nan),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "reconnect_min_delay_ms", duration_inf),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "reconnect_max_delay_ms", duration_huge),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sioe_duration", duration_unknown),
    ROW(SIOE_STATUS_OK, NULL, duration_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "reconnect_max_delay_ms", reconnect_huge),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "reconnect_attempts", reconnect_attempts),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "reconnect_min_delay_ms", delays_out_of_order),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "timeout_ms", flush_negative),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "timeout_ms", flush_nan),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "timeout_ms", flush_huge),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "timeout_ms", close_negative),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "timeout_ms", close_minus_inf),
    /* sizes */
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "queue_capacity", queue_zero),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "queue_capacity", queue_2_62),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "4294967295", queue_2_32),
    ROW(SIOE_STATUS_OK, NULL, queue_max_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sioe_queue_full", queue_policy),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "queue_max_bytes", queue_bytes_zero),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "max_payload_bytes", payload_zero),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "max_payload_bytes", payload_over),
    ROW(SIOE_STATUS_OK, NULL, payload_max_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "adapter must be one of \"classic\", \"sharded\", \"streams\"", adapter_unknown),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "\"Sharded\"", adapter_case),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "adapter", adapter_empty),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "\"static\", \"dynamic\", \"dynamic-private\"", mode_unknown),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "subscription_mode", mode_underscore),
    ROW(SIOE_STATUS_OK, NULL, mode_ok),
    /* the server-stack options, each on its own */
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "stream_name must not be empty", stream_name_empty),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "stream_name", stream_name_null),
    ROW(SIOE_STATUS_INVALID_UTF8, "stream_name", stream_name_utf8),
    ROW(SIOE_STATUS_OK, NULL, stream_name_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "stream_count must be between 1 and 1024, got 0", stream_count_zero),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "stream_count must be between 1 and 1024, got 1025", stream_count_over),
    ROW(SIOE_STATUS_OK, NULL, stream_count_max_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "max_len must be between 1 and 1099511627776, got 0", max_len_zero),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "got 1099511627777", max_len_over),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "max_len", max_len_huge),
    ROW(SIOE_STATUS_OK, NULL, max_len_max_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "streams_version must be one of \"0.3\", \"0.2\", got \"0.4\"", streams_version_unknown),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "streams_version", streams_version_v),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "streams_version", streams_version_empty),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "streams_version", streams_version_null),
    ROW(SIOE_STATUS_OK, NULL, streams_version_full_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "compat must be one of \"redis-adapter-8\", \"redis-adapter-7\", "
        "\"socket.io-redis-6.1\", \"socket.io-redis-6.0\", \"socket.io-redis-5\"", compat_unknown),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "\"Socket.io-redis-5\"", compat_case),
    ROW(SIOE_STATUS_INVALID_UTF8, "compat", compat_utf8),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "compat", compat_null),
    ROW(SIOE_STATUS_OK, NULL, compat_ok),
    /* ... and how they combine, refused by sioe_connect and sioe_offline_with */
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "compat \"socket.io-redis-5\" names a classic adapter stack", compat_streams),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "compat \"socket.io-redis-5\"", compat_streams_offline),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "compat \"redis-adapter-7\"", compat_sharded),
    ROW(SIOE_STATUS_OK, NULL, compat_default_streams_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "stream_count needs streams_version 0.3", count_v02),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "stream_count needs streams_version 0.3", count_v02_offline),
    ROW(SIOE_STATUS_OK, NULL, count_v03_ok),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "require_receivers cannot be used with streams_version 0.2", strict_v02),
    ROW(SIOE_STATUS_OK, NULL, strict_v03_ok),
    ROW(SIOE_STATUS_OK, NULL, compat_classic_ok),
    ROW(SIOE_STATUS_ENCODE, "max_payload_bytes", payload_exceeded),
    ROW(SIOE_STATUS_ENCODE, "max_payload_bytes", payload_exceeded_enqueue),
    ROW(SIOE_STATUS_OK, NULL, payload_fits),
    /* event names */
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "event", empty_event_emit),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "event", empty_event_enqueue),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "event", empty_event_server),
    ROW(SIOE_STATUS_RESERVED_EVENT, "connect", reserved_event),
    /* nesting: the core's limit, 512, named in the message */
    ROW(SIOE_STATUS_OK, NULL, nested_512),
    ROW(SIOE_STATUS_ENCODE, "512", nested_513),
    ROW(SIOE_STATUS_ENCODE, "512", nested_513_enqueue),
    ROW(SIOE_STATUS_ENCODE, "512", nested_huge),
    ROW(SIOE_STATUS_OK, NULL, nested_512_small_stack),
    ROW(SIOE_STATUS_ENCODE, "512", nested_513_small_stack),
    /* text and JSON */
    ROW(SIOE_STATUS_INVALID_UTF8, "event", utf8_event),
    ROW(SIOE_STATUS_INVALID_UTF8, "args_json", utf8_args),
    ROW(SIOE_STATUS_INVALID_UTF8, "room", utf8_room),
    ROW(SIOE_STATUS_INVALID_JSON, "args_json", json_truncated),
    ROW(SIOE_STATUS_INVALID_JSON, "trailing", json_trailing),
    ROW(SIOE_STATUS_INVALID_JSON, "args_json", json_empty),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "JSON array", json_not_array),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "buffer 3", json_bad_bin),
    ROW(SIOE_STATUS_INVALID_JSON, "rooms_json", json_rooms),
    /* URLs, and the password never shown */
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "redis://", url_http),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "URL", url_empty),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "redis://", url_unix),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "URL", url_no_scheme),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "redis://", url_http_password),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "redis://", url_encoded_password),
    ROW(SIOE_STATUS_CONNECTION, "refused", url_refused_password),
    ROW(SIOE_STATUS_CONNECTION, NULL, url_wrong_password),
    /* Redis Cluster and Sentinel: every message names the option, no password shows */
    ROW(SIOE_STATUS_NULL_ARGUMENT, "opts", cluster_null_opts),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "cluster_nodes", cluster_null),
    ROW(SIOE_STATUS_INVALID_UTF8, "cluster_nodes", cluster_utf8),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "cluster_nodes", cluster_empty),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "cluster_nodes: each node must be a redis:// or rediss:// URL", cluster_http),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "cluster_nodes", cluster_no_host),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "cluster_nodes", cluster_garbage),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "mixes redis:// and rediss://", cluster_mixed),
    ROW(SIOE_STATUS_OK, NULL, cluster_ok),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "url", cluster_refused_not_added),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "set either url or cluster_nodes", cluster_and_url),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "require_receivers", cluster_strict_classic),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "set either cluster_nodes or sentinel_master", cluster_and_sentinel),
    ROW(SIOE_STATUS_CONNECTION, NULL, cluster_unreachable),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "sentinel_master", sentinel_master_null),
    ROW(SIOE_STATUS_INVALID_UTF8, "sentinel_master", sentinel_master_utf8),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sentinel_master", sentinel_master_empty),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "sentinel_nodes", sentinel_node_null),
    ROW(SIOE_STATUS_INVALID_UTF8, "sentinel_nodes", sentinel_node_utf8),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sentinel_nodes: each node must be a redis:// or rediss:// URL", sentinel_node_http),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sentinel_nodes", sentinel_node_empty),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "mixes redis:// and rediss://", sentinel_mixed),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sentinel_master needs sentinel_nodes", sentinel_no_nodes),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "sentinel_master", sentinel_no_master),
    ROW(SIOE_STATUS_INVALID_ARGUMENT, "redis://", sentinel_bad_url),
    ROW(SIOE_STATUS_CONNECTION, NULL, sentinel_unreachable),
    ROW(SIOE_STATUS_NULL_ARGUMENT, "url", null_url_standalone),
};

static char *nested(size_t levels) {
  char *s = malloc(2 * levels + 3);
  size_t n = 0;
  s[n++] = '[';
  for (size_t i = 0; i < levels; i++) s[n++] = '[';
  for (size_t i = 0; i < levels; i++) s[n++] = ']';
  s[n++] = ']';
  s[n] = '\0';
  return s;
}

void run_bad_input_tests(const char *redis_url) {
  fprintf(stderr, "bad inputs\n");
  ctx.url = redis_url;
  ctx.opts = sioe_options_new();
  EXPECT_OK(sioe_connect(redis_url, strlen(redis_url), NULL, &ctx.io, &err));
  sioe_options *small = sioe_options_new();
  EXPECT_OK(sioe_options_set_max_payload_bytes(small, 1024, &err));
  EXPECT_OK(sioe_connect(redis_url, strlen(redis_url), small, &ctx.small, &err));
  sioe_options_free(small);
  ctx.nested_512 = nested(512);
  ctx.nested_513 = nested(513);
  ctx.nested_huge = nested(100000);
  ctx.big = malloc(2100);
  memcpy(ctx.big, "[\"", 2);
  memset(ctx.big + 2, 'x', 2000);
  memcpy(ctx.big + 2002, "\"]", 3);

  for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
    const struct row *r = &ROWS[i];
    sioe_error *err = NULL;
    sioe_status got = r->call(&err);
    const char *msg = err ? sioe_error_message(err) : "";
    CHECK(got == r->want, "row %s (line %d): got %s, want %s (%s)", r->what, r->line,
          sioe_status_name(got), sioe_status_name(r->want), msg);
    if (r->want != SIOE_STATUS_OK) {
      CHECK(err != NULL && sioe_error_code(err) == r->want, "row %s: the error carries the status",
            r->what);
      CHECK(r->needle == NULL || strstr(msg, r->needle) != NULL, "row %s: \"%s\" not in: %s",
            r->what, r->needle, msg);
    }
    CHECK(strstr(msg, "s3cret") == NULL, "row %s: the password shows: %s", r->what, msg);
    sioe_error_free(err);
  }
  CHECK(!sioe_emitter_is_closed(ctx.io), "a close with a bad timeout does not close");
  CHECK(strcmp(sioe_status_name(SIOE_STATUS_INTERNAL), "INTERNAL") == 0, "INTERNAL is named");
  CHECK(strcmp(sioe_status_name(SIOE_STATUS_UNSUPPORTED), "UNSUPPORTED") == 0, "UNSUPPORTED is named");
  CHECK(SIOE_STATUS_INTERNAL == 14 && SIOE_STATUS_FLUSH == 13 && SIOE_STATUS_UNSUPPORTED == 15 &&
            SIOE_STATUS_PANIC == 99,
        "status numbers");

  sioe_emitter_close_timeout(ctx.small, 2000, NULL, NULL);
  sioe_emitter_close_timeout(ctx.io, 2000, NULL, NULL);
  sioe_emitter_free(ctx.small);
  sioe_emitter_free(ctx.io);
  sioe_options_free(ctx.opts);
  free(ctx.nested_512);
  free(ctx.nested_513);
  free(ctx.nested_huge);
  free(ctx.big);
}
