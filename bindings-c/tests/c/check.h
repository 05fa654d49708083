/* Tiny test helpers for the C suite: TAP-like output, a failure count, status checks. */
#ifndef SIOE_TEST_CHECK_H
#define SIOE_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "socketio_emitter.h"

extern int failures;
extern int checks;

#define S(lit) (lit), (sizeof(lit) - 1)

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond)) {                                                         \
      failures++;                                                          \
      fprintf(stderr, "not ok %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
      fprintf(stderr, __VA_ARGS__);                                        \
      fputc('\n', stderr);                                                 \
    }                                                                      \
  } while (0)

/* Runs `call` (which takes `&err` last), expects `want`, frees the error. */
#define EXPECT_STATUS(want, call)                                          \
  do {                                                                     \
    sioe_error *err = NULL;                                                \
    sioe_status got_ = (call);                                             \
    CHECK(got_ == (want), "%s: got %s (%s)", #call, sioe_status_name(got_), \
          err ? sioe_error_message(err) : "no error object");              \
    if ((want) != SIOE_STATUS_OK) {                                        \
      CHECK(err != NULL && sioe_error_code(err) == (want),                 \
            "%s: the error object does not carry the status", #call);      \
    } else {                                                               \
      CHECK(err == NULL, "%s: an error object on success", #call);         \
    }                                                                      \
    sioe_error_free(err);                                                  \
  } while (0)

#define EXPECT_OK(call) EXPECT_STATUS(SIOE_STATUS_OK, call)

void run_input_tests(const char *redis_url);
void run_interop_tests(const char *redis_url);

#endif
