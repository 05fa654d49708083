/* Quick start (bindings-c/README.md): emit {"text":"hi"} plus binary to room1.
 *   cc quickstart.c $(pkg-config --cflags --libs socketio_emitter) -o quickstart
 *   ./quickstart redis://127.0.0.1:6379 */
#include <stdio.h>
#include <string.h>

#include "socketio_emitter.h"

static int fail(sioe_error *err) {
  fprintf(stderr, "%s: %s\n", sioe_status_name(sioe_error_code(err)), sioe_error_message(err));
  sioe_error_free(err);
  return 1;
}

int main(int argc, char **argv) {
  const char *url = argc > 1 ? argv[1] : "redis://127.0.0.1:6379";
  /* snippet: quickstart */
  sioe_emitter *io = NULL, *room = NULL;
  sioe_error *err = NULL;
  if (sioe_connect(url, strlen(url), NULL, &io, &err) != SIOE_STATUS_OK) return fail(err);
  if (sioe_emitter_to(io, "room1", 5, &room, &err) != SIOE_STATUS_OK) return fail(err);

  /* Binary parts are referenced from the JSON arguments as {"$bin": index}. */
  sioe_buffers *bufs = sioe_buffers_new();
  sioe_buffers_add(bufs, "\x01\x02", 2, NULL, NULL);
  const char *args = "[{\"text\":\"hi\"},{\"$bin\":0}]";
  uint64_t servers = 0;
  if (sioe_emitter_emit(room, "chat", 4, args, strlen(args), bufs, &servers, &err) != SIOE_STATUS_OK)
    return fail(err);
  printf("%llu Socket.IO server(s) received it\n", (unsigned long long)servers);

  sioe_buffers_free(bufs);
  sioe_emitter_free(room);
  sioe_emitter_close(io, NULL, NULL, NULL);
  sioe_emitter_free(io);
  /* end snippet */
  return 0;
}
