/* The C suite: `test_api REDIS_URL`. Run by tests/run_c_tests.js, which starts the
 * interop harness, connects the recording clients, runs this program (under valgrind)
 * and then checks what the clients received. */
#include <stdlib.h>

#include "check.h"

int failures = 0;
int checks = 0;

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s REDIS_URL\n", argv[0]);
    return 2;
  }
  run_input_tests(argv[1]);
  run_interop_tests(argv[1]);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
