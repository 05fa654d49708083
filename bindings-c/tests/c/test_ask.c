/* Asking the cluster from C: `test_ask REDIS_URL SID_A SID_B SID_C`. tests/run_c_ask.js
 * starts two Socket.IO servers whose "ask_me" handlers acknowledge, and clients in namespace
 * /ask: A (server 0, room vip, socket.data {"user":42}, acknowledges "a-ok"), B (server 1,
 * rooms vip and muted, acknowledges "b-ok") and C (server 1, never acknowledges). The answers
 * are JSON text; these checks look for what must be in it. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

static const char *sid_a, *sid_b, *sid_c;

static sioe_emitter *derive(const sioe_emitter *em, const char *how, const char *arg) {
  sioe_emitter *out = NULL;
  if (strcmp(how, "of") == 0) EXPECT_OK(sioe_emitter_of(em, arg, strlen(arg), &out, &err));
  if (strcmp(how, "to") == 0) EXPECT_OK(sioe_emitter_to(em, arg, strlen(arg), &out, &err));
  if (strcmp(how, "except") == 0) EXPECT_OK(sioe_emitter_except(em, arg, strlen(arg), &out, &err));
  return out;
}

static int has(const char *json, const char *part) { return json != NULL && strstr(json, part) != NULL; }

static void fetch(const sioe_emitter *ask) {
  uint64_t servers = 0;
  EXPECT_OK(sioe_emitter_server_count(ask, &servers, &err));
  CHECK(servers == 2, "server count %llu", (unsigned long long)servers);

  sioe_emitter *vip = derive(ask, "to", "vip");
  const char *sid = sid_a;
  bool listed = false;
  /* snippet: ask */
  char *json = NULL; /* the answer: JSON text that belongs to the caller */
  sioe_error *err = NULL;
  if (sioe_emitter_fetch_sockets(vip, 5000, &json, &err) == SIOE_STATUS_OK) {
    /* {"sockets":[{"id":...,"rooms":[...],"data":...,"handshake":{...}}],
        "servers_answered":2,"servers_missing":0,"complete":true} */
    listed = strstr(json, sid) != NULL;
    sioe_string_free(json);
  } else {
    fprintf(stderr, "fetch_sockets: %s\n", sioe_error_message(err));
    sioe_error_free(err);
  }
  /* end snippet */
  CHECK(listed, "the README's example finds A");

  EXPECT_OK(sioe_emitter_fetch_sockets(vip, 10000, &json, &err));
  CHECK(has(json, sid_a) && has(json, sid_b) && !has(json, sid_c), "vip: %s", json);
  CHECK(has(json, "\"data\":{\"user\":42}") && has(json, "\"complete\":true"), "vip: %s", json);
  sioe_string_free(json);

  sioe_emitter *not_muted = derive(vip, "except", "muted");
  EXPECT_OK(sioe_emitter_fetch_sockets(not_muted, 10000, &json, &err));
  CHECK(has(json, sid_a) && !has(json, sid_b), "vip except muted: %s", json);
  sioe_string_free(json);

  /* An acknowledged broadcast to vip except muted: only A answers. */
  EXPECT_OK(sioe_emitter_emit_with_ack(not_muted, S("question"), S("[\"?\"]"), NULL, 10000, &json, &err));
  CHECK(has(json, "\"responses\":[\"a-ok\"]") && has(json, "\"clients_targeted\":1"), "acks: %s", json);
  sioe_string_free(json);
  sioe_emitter_free(not_muted);
  sioe_emitter_free(vip);

  EXPECT_OK(sioe_emitter_all_rooms(ask, 10000, &json, &err));
  CHECK(has(json, "\"vip\"") && has(json, "\"muted\"") && has(json, sid_c), "rooms: %s", json);
  sioe_string_free(json);
}

static void partial(const sioe_emitter *ask) {
  /* C never acknowledges: after 1.5 s the answer is partial, and says so. */
  char *json = NULL;
  EXPECT_OK(sioe_emitter_emit_with_ack(ask, S("question"), NULL, 0, NULL, 1500, &json, &err));
  CHECK(has(json, "\"clients_targeted\":3") && has(json, "\"clients_missing\":1") && has(json, "\"complete\":false"),
        "partial: %s", json);
  sioe_string_free(json);

  EXPECT_OK(sioe_emitter_server_side_emit_with_ack(ask, S("ask_me"), S("[{\"q\":1}]"), NULL, 10000, &json, &err));
  CHECK(has(json, "\"server\":0") && has(json, "\"server\":1") && has(json, "\"servers_missing\":0"), "handlers: %s",
        json);
  sioe_string_free(json);
  EXPECT_OK(sioe_emitter_server_side_emit_with_ack(ask, S("server_event"), NULL, 0, NULL, 1500, &json, &err));
  CHECK(has(json, "\"servers_missing\":2") && has(json, "\"complete\":false"), "silent handlers: %s", json);
  sioe_string_free(json);
}

static void bad_input(const sioe_emitter *ask) {
  char *json = (char *)"untouched";
  EXPECT_STATUS(SIOE_STATUS_INVALID_ARGUMENT, sioe_emitter_fetch_sockets(ask, 0, &json, &err));
  CHECK(json == NULL, "no answer after a failure");
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_fetch_sockets(ask, 1000, NULL, &err));
  EXPECT_STATUS(SIOE_STATUS_NULL_ARGUMENT, sioe_emitter_all_rooms(NULL, 1000, &json, &err));
  EXPECT_STATUS(SIOE_STATUS_RESERVED_EVENT,
                sioe_emitter_emit_with_ack(ask, S("connect"), NULL, 0, NULL, 1000, &json, &err));
  EXPECT_STATUS(SIOE_STATUS_INVALID_JSON,
                sioe_emitter_emit_with_ack(ask, S("question"), S("[not json"), NULL, 1000, &json, &err));
  sioe_string_free(NULL);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s REDIS_URL SID_A SID_B SID_C\n", argv[0]);
    return 2;
  }
  sid_a = argv[2], sid_b = argv[3], sid_c = argv[4];
  sioe_emitter *io = NULL;
  EXPECT_OK(sioe_connect(argv[1], strlen(argv[1]), NULL, &io, &err));
  if (io != NULL) {
    sioe_emitter *ask = derive(io, "of", "/ask");
    fetch(ask);
    partial(ask);
    bad_input(ask);
    sioe_emitter_free(ask);
    EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
    /* Closed: every question fails with CLOSED. */
    uint64_t n = 0;
    EXPECT_STATUS(SIOE_STATUS_CLOSED, sioe_emitter_server_count(io, &n, &err));
    sioe_emitter_free(io);
  }
  printf("ask: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
