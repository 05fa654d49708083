/* Emits EVENT to the room "dist" with {"from": EVENT} and two bytes, from a program built
 * against the installed C library: emit REDIS_URL EVENT. */
#include <stdio.h>
#include <string.h>

#include "socketio_emitter.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s REDIS_URL EVENT\n", argv[0]);
    return 2;
  }
  const char *url = argv[1], *event = argv[2];
  sioe_emitter *io = NULL, *room = NULL;
  sioe_error *err = NULL;
  char args[256];
  snprintf(args, sizeof args, "[{\"from\":\"%s\"},{\"$bin\":0}]", event);
  sioe_buffers *bufs = sioe_buffers_new();
  uint64_t servers = 0;
  if (sioe_connect(url, strlen(url), NULL, &io, &err) != SIOE_STATUS_OK ||
      sioe_buffers_add(bufs, "\x01\x02", 2, NULL, &err) != SIOE_STATUS_OK ||
      sioe_emitter_to(io, "dist", 4, &room, &err) != SIOE_STATUS_OK ||
      sioe_emitter_emit(room, event, strlen(event), args, strlen(args), bufs, &servers, &err) !=
          SIOE_STATUS_OK) {
    fprintf(stderr, "%s: %s\n", sioe_status_name(sioe_error_code(err)), sioe_error_message(err));
    return 1;
  }
  printf("%llu\n", (unsigned long long)servers);
  sioe_buffers_free(bufs);
  sioe_emitter_free(room);
  sioe_emitter_free(io);
  return 0;
}
