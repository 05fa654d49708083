/* The streams golden vectors (tests/vectors/vectors_streams.json, captured from real
 * socket.io 4.8.1 servers with @socket.io/redis-streams-adapter 0.3.1 and 0.2.3, uid forced
 * to "emitter") replayed through the C API: each case builds its emitter with
 * sioe_options_set_adapter("streams"), _set_streams_version, _set_stream_name,
 * _set_stream_count, _set_max_len and _set_key, then sioe_offline_with; sioe_emitter_encode_*
 * must give, argument for argument, the Redis command the servers sent (read back with
 * sioe_output_arg_count / sioe_output_arg), or their error message. No Redis needed.
 * tests/run_c_streams_vectors.js feeds the cases on stdin as hex lines (format in that file). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

struct skip {
  const char *name;
  const char *reason;
};

/* The same calls and reasons as core/tests/golden_vectors_streams.rs. */
static const struct skip NOT_EMITTER_CALLS[] = {
    {"emitWithAck", "broadcast with acks needs the reply subscriber of issue 14"},
    {"serverSideEmitWithAck", "serverSideEmit with acks needs the reply subscriber of issue 14"},
    {"fetchSockets", "fetchSockets needs the reply subscriber of issue 14"},
    {"of", "what a server writes when it creates a namespace: not an emitter operation"},
    {"close", "what a 0.2 server writes when its adapter closes: not an emitter operation"},
};

/* Arguments reach the C API as JSON text: no NaN, and a date only as its ISO text, which is
 * what a JSON entry holds (those cases are compared) but not what a msgpack one does. */
static const struct skip NOT_IN_JSON[] = {
    {"emit_numbers_v03", "NaN and infinities (JSON has neither)"},
    {"emit_numbers_v02", "NaN and infinities (JSON has neither)"},
    {"binary_with_numbers_and_date_v03", "a date in a msgpack entry"},
    {"binary_with_numbers_and_date_v02", "a date in a msgpack entry"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 32

static const struct skip *find(const struct skip *list, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i].name, name) == 0) return &list[i];
  return NULL;
}

struct bytes {
  char *ptr;
  size_t len;
};

static struct bytes unhex(const char *hex) {
  size_t n = strlen(hex) / 2;
  struct bytes b = {calloc(n + 1, 1), n};
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    sscanf(hex + 2 * i, "%2x", &v);
    b.ptr[i] = (char)v;
  }
  return b;
}

static const char *or_empty(const struct bytes *b) { return b->len ? b->ptr : ""; }

struct vcase {
  char name[128], generation[16], call[32], inexpressible[96];
  struct bytes stream_name, key;
  unsigned long stream_count;
  unsigned long long max_len;
  int plaintext, date_as_text, unsupported_op, commands, close;
  sioe_emitter *em;
  struct bytes event, args, rooms, throws;
  struct bytes want[MAX_ARGS];
  size_t want_count;
  sioe_buffers *bufs;
};

static void reset(struct vcase *c) {
  sioe_emitter_free(c->em);
  sioe_buffers_free(c->bufs);
  struct bytes *all[] = {&c->stream_name, &c->key, &c->event, &c->args, &c->rooms, &c->throws};
  for (size_t i = 0; i < COUNT(all); i++) free(all[i]->ptr);
  for (size_t i = 0; i < c->want_count; i++) free(c->want[i].ptr);
  memset(c, 0, sizeof *c);
  c->bufs = sioe_buffers_new();
}

/* The emitter, once the options are read (before the first op or the call). */
static void make_emitter(struct vcase *c) {
  if (c->em != NULL) return;
  sioe_options *o = sioe_options_new();
  EXPECT_OK(sioe_options_set_adapter(o, S("streams"), &err));
  EXPECT_OK(sioe_options_set_streams_version(o, c->generation, strlen(c->generation), &err));
  EXPECT_OK(sioe_options_set_stream_name(o, or_empty(&c->stream_name), c->stream_name.len, &err));
  EXPECT_OK(sioe_options_set_stream_count(o, (uint32_t)c->stream_count, &err));
  EXPECT_OK(sioe_options_set_max_len(o, c->max_len, &err));
  EXPECT_OK(sioe_options_set_key(o, or_empty(&c->key), c->key.len, &err));
  EXPECT_OK(sioe_offline_with(o, &c->em, &err));
  sioe_options_free(o);
}

static void apply(struct vcase *c, const char *spec) {
  make_emitter(c);
  sioe_emitter *next = NULL;
  sioe_error *err = NULL;
  sioe_status s = SIOE_STATUS_OK;
  const char *rest = strchr(spec, ' ');
  rest = rest ? rest + 1 : spec + strlen(spec);
  int to = strncmp(spec, "to ", 3) == 0;
  if (strncmp(spec, "of ", 3) == 0) {
    struct bytes nsp = unhex(rest);
    s = sioe_emitter_of(c->em, or_empty(&nsp), nsp.len, &next, &err);
    free(nsp.ptr);
  } else if ((to || strncmp(spec, "except ", 7) == 0) && rest[0] == 'n') {
    long long id = strtoll(rest + 2, NULL, 10);
    s = to ? sioe_emitter_to_id(c->em, id, &next, &err) : sioe_emitter_except_id(c->em, id, &next, &err);
  } else if (to || strncmp(spec, "except ", 7) == 0) {
    struct bytes room = unhex(rest + 2);
    s = to ? sioe_emitter_to(c->em, or_empty(&room), room.len, &next, &err)
           : sioe_emitter_except(c->em, or_empty(&room), room.len, &next, &err);
    free(room.ptr);
  } else if (strcmp(spec, "volatile") == 0) {
    s = sioe_emitter_volatile(c->em, &next, &err);
  } else if (strncmp(spec, "compress ", 9) == 0) {
    s = sioe_emitter_compress(c->em, rest[0] == '1', &next, &err);
  } else {
    c->unsupported_op = 1; /* timeout: only in the cases of calls skipped above */
    return;
  }
  CHECK(s == SIOE_STATUS_OK, "%s: op %s: %s", c->name, spec, err ? sioe_error_message(err) : "?");
  sioe_error_free(err);
  if (next != NULL) {
    sioe_emitter_free(c->em);
    c->em = next;
  }
}

static sioe_status encode(struct vcase *c, sioe_output **out, sioe_error **err) {
  make_emitter(c);
  if (strcmp(c->call, "emit") == 0 || strcmp(c->call, "serverSideEmit") == 0) {
    int emit = c->call[0] == 'e';
    return (emit ? sioe_emitter_encode_emit : sioe_emitter_encode_server_side_emit)(
        c->em, or_empty(&c->event), c->event.len, or_empty(&c->args), c->args.len, c->bufs, out, err);
  }
  if (strcmp(c->call, "socketsJoin") == 0)
    return sioe_emitter_encode_sockets_join(c->em, or_empty(&c->rooms), c->rooms.len, out, err);
  if (strcmp(c->call, "socketsLeave") == 0)
    return sioe_emitter_encode_sockets_leave(c->em, or_empty(&c->rooms), c->rooms.len, out, err);
  if (strcmp(c->call, "disconnectSockets") == 0)
    return sioe_emitter_encode_disconnect_sockets(c->em, c->close, out, err);
  return SIOE_STATUS_PANIC; /* reported by the caller */
}

/* Whether the output's whole command is the expected one; prints the first difference. */
static int same_command(const struct vcase *c, const sioe_output *out) {
  size_t n = sioe_output_arg_count(out);
  if (n != c->want_count) {
    fprintf(stderr, "%s: %zu arguments, want %zu\n", c->name, n, c->want_count);
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    size_t len = 99;
    const uint8_t *arg = sioe_output_arg(out, i, &len);
    if (arg == NULL || len != c->want[i].len || memcmp(arg, c->want[i].ptr, len) != 0 || arg[len] != '\0') {
      fprintf(stderr, "%s: argument %zu is \"%.*s\" (%zu bytes), want \"%s\" (%zu bytes)\n", c->name, i, (int)len,
              arg ? (const char *)arg : "", len, c->want[i].ptr, c->want[i].len);
      return 0;
    }
  }
  /* The other accessors read the same command: channel = argument 1, payload = the last. */
  size_t clen = 0, plen = 0;
  const char *channel = sioe_output_channel(out, &clen);
  const uint8_t *payload = sioe_output_payload(out, &plen);
  return strcmp(sioe_output_command(out), c->want[0].ptr) == 0 && clen == c->want[1].len &&
         memcmp(channel, c->want[1].ptr, clen) == 0 && plen == c->want[n - 1].len &&
         memcmp(payload, c->want[n - 1].ptr, plen) == 0;
}

/* Replays a finished case; returns 1 when it was compared. */
static int replay(struct vcase *c, int *skipped_calls, int *plaintext, int *dates) {
  const struct skip *not_call = find(NOT_EMITTER_CALLS, COUNT(NOT_EMITTER_CALLS), c->call);
  const struct skip *no_json = find(NOT_IN_JSON, COUNT(NOT_IN_JSON), c->name);
  if (not_call) {
    skipped_calls[not_call - NOT_EMITTER_CALLS]++;
    return 0;
  }
  if (c->plaintext) { /* a server option that only changes what servers write */
    (*plaintext)++;
    return 0;
  }
  CHECK(no_json ? strcmp(no_json->reason, c->inexpressible) == 0 : c->inexpressible[0] == '\0',
        "%s: listed as not expressible in JSON (%s) exactly when it is not (%s)", c->name,
        no_json ? no_json->reason : "not listed", c->inexpressible);
  if (no_json) return 0;
  CHECK(!c->unsupported_op, "%s: a target call the C API lacks", c->name);
  sioe_output *out = NULL;
  sioe_error *err = NULL;
  sioe_status s = encode(c, &out, &err);
  if (c->throws.ptr != NULL) {
    CHECK(s == SIOE_STATUS_RESERVED_EVENT && err && strcmp(sioe_error_message(err), c->throws.ptr) == 0 &&
              c->commands == 0,
          "%s: want the servers' error \"%s\", got %s (%s)", c->name, c->throws.ptr, sioe_status_name(s),
          err ? sioe_error_message(err) : "no error");
  } else if (s != SIOE_STATUS_OK) {
    CHECK(0, "%s (call %s): %s: %s", c->name, c->call, sioe_status_name(s), err ? sioe_error_message(err) : "");
  } else {
    CHECK(c->commands == 1, "%s: %d commands expected", c->name, c->commands);
    CHECK(same_command(c, out), "%s: the whole command differs", c->name);
    *dates += c->date_as_text;
  }
  sioe_output_free(out);
  sioe_error_free(err);
  return 1;
}

/* Splits "a b c" (hex, possibly empty) into the case's expected arguments. */
static void expect(struct vcase *c, char *value) {
  c->commands++;
  if (c->commands > 1) {
    CHECK(0, "%s: a second command", c->name);
    return;
  }
  for (char *tok = value; tok != NULL;) {
    char *next = strchr(tok, ' ');
    if (next) *next++ = '\0';
    if (c->want_count == MAX_ARGS) {
      CHECK(0, "%s: more than %d arguments", c->name, MAX_ARGS);
      return;
    }
    c->want[c->want_count++] = unhex(tok);
    tok = next;
  }
}

int main(void) {
  struct vcase c = {0};
  reset(&c);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int cases = 0, compared = 0, skipped = 0, plaintext = 0, dates = 0;
  int skipped_calls[COUNT(NOT_EMITTER_CALLS)] = {0};
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = '\0';
    char *value = strchr(line, ' ');
    value = value ? value + 1 : line + strlen(line);
#define IS(word) (strncmp(line, word " ", sizeof(word)) == 0)
    if (IS("case")) {
      snprintf(c.name, sizeof c.name, "%s", value);
    } else if (IS("generation")) {
      snprintf(c.generation, sizeof c.generation, "%s", value);
    } else if (IS("stream_name")) {
      c.stream_name = unhex(value);
    } else if (IS("stream_count")) {
      c.stream_count = strtoul(value, NULL, 10);
    } else if (IS("max_len")) {
      c.max_len = strtoull(value, NULL, 10);
    } else if (IS("key")) {
      c.key = unhex(value);
    } else if (IS("plaintext")) {
      c.plaintext = value[0] == '1';
    } else if (strcmp(line, "date_as_text") == 0) {
      c.date_as_text = 1;
    } else if (IS("inexpressible")) {
      snprintf(c.inexpressible, sizeof c.inexpressible, "%s", value);
    } else if (IS("op")) {
      apply(&c, value);
    } else if (IS("call")) {
      snprintf(c.call, sizeof c.call, "%s", value);
    } else if (IS("event")) {
      c.event = unhex(value);
    } else if (IS("args")) {
      c.args = unhex(value);
    } else if (IS("buf")) {
      struct bytes b = unhex(value);
      EXPECT_OK(sioe_buffers_add(c.bufs, b.ptr, b.len, NULL, &err));
      free(b.ptr);
    } else if (IS("rooms")) {
      c.rooms = unhex(value);
    } else if (IS("close")) {
      c.close = value[0] == '1';
    } else if (IS("throws")) {
      c.throws = unhex(value);
    } else if (IS("expect")) {
      expect(&c, value);
    } else if (strcmp(line, "end") == 0) {
      cases++;
      if (replay(&c, skipped_calls, &plaintext, &dates))
        compared++;
      else
        skipped++;
      reset(&c);
    } else {
      CHECK(0, "unexpected line: %.60s", line);
    }
#undef IS
  }
  free(line);
  reset(&c);
  sioe_buffers_free(c.bufs);
  for (size_t i = 0; i < COUNT(NOT_EMITTER_CALLS); i++)
    CHECK(skipped_calls[i] > 0, "no %s case is left: drop it from the list", NOT_EMITTER_CALLS[i].name);
  CHECK(plaintext > 0, "no onlyPlaintext case is left");
  CHECK(dates == 2, "%d cases with a date compared as ISO text, want 2", dates);
  CHECK(compared >= 80, "only %d vectors compared", compared);
  printf("streams vectors: %d cases, %d compared (%d with a date as ISO text), %d skipped (%d not emitter calls, "
         "%d onlyPlaintext, %zu not expressible in JSON)\n",
         cases, compared, dates, skipped, skipped - plaintext - (int)COUNT(NOT_IN_JSON), plaintext,
         COUNT(NOT_IN_JSON));
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
