/* The C blocks of bindings-c/README.md, run against the fixture: `test_readme classic URL`
 * (two servers on createAdapter) or `test_readme sharded URL` (createShardedAdapter, dynamic).
 * tests/run_c_readme.js connects the recording clients before and checks what they received
 * after this exits. The blocks between "snippet:" and "end snippet" are the README's, word for
 * word (tests/check_snippets.js compares them); around them is only what they need. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

/* "Arguments: JSON plus binary buffers": one PNG signature as buffer 0. */
static void arguments(sioe_emitter *io) {
  static const char png[] = "\x89PNG";
  size_t png_len = sizeof png - 1;
  sioe_error *err = NULL;
  /* snippet: buffers */
  sioe_buffers *bufs = sioe_buffers_new();
  size_t i;
  sioe_buffers_add(bufs, png, png_len, &i, NULL);            /* i == 0 */
  const char *args = "[{\"name\":\"logo\",\"data\":{\"$bin\":0}}, 42, 1.5]";
  sioe_emitter_emit(io, "file", 4, args, strlen(args), bufs, NULL, &err);
  /* end snippet */
  CHECK(i == 0 && err == NULL, "the file emit: %s", err ? sioe_error_message(err) : "ok");
  sioe_error_free(err);
  sioe_buffers_free(bufs);
}

/* "What the numbers mean": three emits queued, then the README's flush and close. */
static void flush_and_close(sioe_emitter *io) {
  for (int n = 0; n < 3; n++) {
    char args[16];
    snprintf(args, sizeof args, "[%d]", n);
    uint64_t ticket = 0;
    EXPECT_OK(sioe_emitter_enqueue(io, "tick", 4, args, strlen(args), NULL, &ticket, &err));
  }
  /* snippet: flush */
  sioe_flush_report r;
  sioe_error *err = NULL;
  sioe_status s = sioe_emitter_flush_timeout(io, 5000, &r, &err);   /* INFINITY: no limit */
  if (s == SIOE_STATUS_OK || s == SIOE_STATUS_FLUSH)
    printf("%llu sent, %llu reached no server, %llu failed\n", (unsigned long long)r.sent,
           (unsigned long long)r.reached_none, (unsigned long long)r.failed);
  for (size_t i = 0; i < sioe_error_failure_count(err); i++) {
    uint64_t ticket; sioe_status why;
    sioe_error_failure(err, i, &ticket, &why);   /* each failed ticket, with its own status */
  }
  sioe_error_free(err);
  sioe_emitter_close_timeout(io, 5000, &r, NULL);   /* gives up after 5 s; what is left fails */
  /* end snippet */
  CHECK(s == SIOE_STATUS_OK, "flush: %s", sioe_status_name(s));
}

/* "The sharded adapter": the emitter's options, then one broadcast. */
static void sharded(const char *url) {
  sioe_emitter *io = NULL;
  sioe_error *err = NULL;
  /* snippet: sharded */
  sioe_options *o = sioe_options_new();
  sioe_options_set_adapter(o, "sharded", 7, &err);
  sioe_options_set_subscription_mode(o, "dynamic", 7, &err);   /* INVALID_ARGUMENT for any other text */
  sioe_connect(url, strlen(url), o, &io, &err);
  sioe_options_free(o);
  /* end snippet */
  CHECK(io != NULL && err == NULL, "sharded connect: %s", err ? sioe_error_message(err) : "no emitter");
  sioe_error_free(err);
  if (io == NULL) return;
  uint64_t servers = 0;
  EXPECT_OK(sioe_emitter_emit(io, "news", 4, S("[\"hello\"]"), NULL, &servers, &err));
  CHECK(servers == 2, "both sharded servers: %llu", (unsigned long long)servers);
  EXPECT_OK(sioe_emitter_close(io, NULL, NULL, &err));
  sioe_emitter_free(io);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s classic|sharded REDIS_URL\n", argv[0]);
    return 2;
  }
  const char *url = argv[2];
  if (strcmp(argv[1], "sharded") == 0) {
    sharded(url);
  } else {
    sioe_emitter *io = NULL;
    EXPECT_OK(sioe_connect(url, strlen(url), NULL, &io, &err));
    if (io != NULL) {
      arguments(io);
      flush_and_close(io);
      sioe_emitter_free(io);
    }
  }
  fprintf(stderr, "readme (%s): %d checks, %d failed\n", argv[1], checks, failures);
  return failures == 0 ? 0 : 1;
}
