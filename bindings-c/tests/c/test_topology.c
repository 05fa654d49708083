/* Redis Cluster and Sentinel end to end, one case per run:
 *   test_topology cluster-sharded NODE...      servers on createShardedAdapter, over a cluster
 *   test_topology cluster-classic NODE...      servers on createAdapter, over a cluster
 *   test_topology sentinel SENTINEL...         servers on createAdapter, master "mymaster"
 * tests/run_c_topology.js starts a harness per case, connects the recording clients before
 * and checks what they and the servers received after this exits. Here: statuses and
 * receiver counts. The blocks between "snippet:" and "end snippet" are the README's, word for
 * word (tests/check_snippets.js compares them). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

static sioe_emitter *cluster_sharded(const char *const *seeds, size_t n_seeds) {
  sioe_emitter *io = NULL;
  sioe_error *err = NULL;
  /* snippet: cluster */
  sioe_options *o = sioe_options_new();
  sioe_status s = SIOE_STATUS_OK;
  for (size_t i = 0; i < n_seeds && s == SIOE_STATUS_OK; i++) /* e.g. "redis://10.0.0.1:7000" */
    s = sioe_options_add_cluster_node(o, seeds[i], strlen(seeds[i]), &err);
  if (s == SIOE_STATUS_OK) s = sioe_options_set_adapter(o, "sharded", 7, &err);
  if (s == SIOE_STATUS_OK) s = sioe_connect(NULL, 0, o, &io, &err); /* no URL: the seeds lead to the cluster */
  sioe_options_free(o);
  /* end snippet */
  CHECK(s == SIOE_STATUS_OK && io != NULL, "cluster connect: %s (%s)", sioe_status_name(s),
        err ? sioe_error_message(err) : "");
  sioe_error_free(err);
  return io;
}

static sioe_emitter *cluster_classic(const char *const *seeds, size_t n_seeds) {
  sioe_options *o = sioe_options_new();
  sioe_emitter *io = NULL;
  for (size_t i = 0; i < n_seeds; i++) EXPECT_OK(sioe_options_add_cluster_node(o, seeds[i], strlen(seeds[i]), &err));
  EXPECT_OK(sioe_connect(NULL, 0, o, &io, &err));
  sioe_options_free(o);
  return io;
}

static sioe_emitter *sentinel(const char *const *sentinels, size_t n_sentinels) {
  sioe_emitter *io = NULL;
  sioe_error *err = NULL;
  /* The master's host and port are not used: the sentinels say where it is. */
  const char *master_url = "redis://not-used.invalid:1/0";
  /* snippet: sentinel */
  sioe_options *o = sioe_options_new();
  sioe_status s = sioe_options_set_sentinel_master(o, "mymaster", 8, &err);
  for (size_t i = 0; i < n_sentinels && s == SIOE_STATUS_OK; i++) /* e.g. "redis://10.0.0.1:26379" */
    s = sioe_options_add_sentinel_node(o, sentinels[i], strlen(sentinels[i]), &err);
  /* The URL gives the master's credentials, db and TLS, e.g. "redis://:pw@mymaster/0" (its
   * host and port are not used); NULL for none. */
  if (s == SIOE_STATUS_OK) s = sioe_connect(master_url, strlen(master_url), o, &io, &err);
  sioe_options_free(o);
  /* end snippet */
  CHECK(s == SIOE_STATUS_OK && io != NULL, "sentinel connect: %s (%s)", sioe_status_name(s),
        err ? sioe_error_message(err) : "");
  sioe_error_free(err);
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

/* Emits and returns the receiver count (UINT64_MAX when the emit failed). */
static uint64_t emit(const sioe_emitter *em, const char *event, const char *json, const sioe_buffers *bufs) {
  uint64_t n = UINT64_MAX;
  EXPECT_OK(sioe_emitter_emit(em, event, strlen(event), json, json ? strlen(json) : 0, bufs, &n, &err));
  return n;
}

static void broadcast(const sioe_emitter *io, const char *topology, int exact) {
  sioe_emitter *bc = derive_of(io, "/ct-bc");
  uint64_t n = emit(bc, "hello", "[\"world\",42]", NULL);
  /* A cluster's PUBLISH counts only the subscribers of the node that received it. */
  CHECK(exact ? n == 2 : n <= 2, "%s broadcast: %llu receivers", topology, (unsigned long long)n);
  sioe_emitter_free(bc);
}

/* The sharded servers in dynamic mode: a room's own channel, binary as msgpack, and the
 * server-side channel, each on the master owning its slot. */
static void sharded_cases(const sioe_emitter *io) {
  sioe_emitter *room = derive_of(io, "/ct-room"), *room1 = derive_to(room, "room1");
  uint64_t n = emit(room1, "only-room1", NULL, NULL);
  CHECK(n == 1, "one room: %llu receivers, want the one server where it has members", (unsigned long long)n);

  sioe_emitter *bin = derive_of(io, "/ct-bin");
  sioe_buffers *bufs = sioe_buffers_new();
  EXPECT_OK(sioe_buffers_add(bufs, S("\xff\x00"), NULL, &err));
  EXPECT_OK(sioe_buffers_add(bufs, S("\x01\x02\x03"), NULL, &err));
  n = emit(bin, "blob", "[{\"$bin\":0},{\"file\":{\"$bin\":1},\"n\":5}]", bufs);
  CHECK(n == 2, "binary: %llu receivers", (unsigned long long)n);

  sioe_emitter *sse = derive_of(io, "/ct-sse");
  n = 0;
  EXPECT_OK(sioe_emitter_server_side_emit(sse, S("server_event"), S("[\"payload\",7]"), NULL, &n, &err));
  CHECK(n == 2, "serverSideEmit reached %llu servers", (unsigned long long)n);

  /* Queued operations on channels of different slots: the pipelines are split by slot. */
  sioe_emitter *q = derive_of(io, "/ct-queue"), *q2 = derive_of(io, "/ct-queue-2");
  for (int i = 0; i < 20; i++) {
    char args[16];
    snprintf(args, sizeof args, "[%d]", i);
    EXPECT_OK(sioe_emitter_enqueue(i % 2 ? q2 : q, S("tick"), args, strlen(args), NULL, NULL, &err));
  }
  uint64_t sent = 0, receivers = 0;
  EXPECT_OK(sioe_emitter_flush(q, &sent, &receivers, &err));
  CHECK(sent == 20 && receivers == 40, "flush: %llu sent, %llu receivers", (unsigned long long)sent,
        (unsigned long long)receivers);

  sioe_buffers_free(bufs);
  sioe_emitter *list[] = {room, room1, bin, sse, q, q2};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) sioe_emitter_free(list[i]);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s cluster-sharded|cluster-classic|sentinel URL...\n", argv[0]);
    return 2;
  }
  const char *topology = argv[1];
  const char *const *urls = (const char *const *)argv + 2;
  size_t n = (size_t)argc - 2;
  sioe_emitter *io = NULL;
  if (strcmp(topology, "cluster-sharded") == 0) {
    io = cluster_sharded(urls, n);
  } else if (strcmp(topology, "cluster-classic") == 0) {
    io = cluster_classic(urls, n);
  } else if (strcmp(topology, "sentinel") == 0) {
    io = sentinel(urls, n);
  } else {
    fprintf(stderr, "unknown topology %s\n", topology);
    return 2;
  }
  if (io != NULL) {
    broadcast(io, topology, strcmp(topology, "cluster-classic") != 0);
    if (strcmp(topology, "cluster-sharded") == 0) sharded_cases(io);
    EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
    sioe_emitter_free(io);
  }
  printf("%s: %d checks, %d failed\n", topology, checks, failures);
  return failures == 0 ? 0 : 1;
}
