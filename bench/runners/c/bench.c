/*
 * The C runner of `make bench`, over bindings-c's libsocketio_emitter.
 *
 *   c_runner URL ARGS_JSON_FILE sync|queue SECONDS WARMUP
 *
 * ARGS_JSON_FILE holds the emit's arguments as a JSON array (bench/run.py writes them to
 * bench/out/args_<payload>.json); when it contains {"$bin":0}, buffer 0 is the 64 KiB binary
 * payload (byte i = (i * 31 + 7) % 256). sync: sioe_emitter_emit one at a time. queue:
 * sioe_emitter_enqueue until the time is up, then one sioe_emitter_flush.
 * Prints {"ops":N,"secs":S,"receivers":R,"cpu_s":C}: C is this process's CPU time (user +
 * system, every thread: the library's I/O runs on its own) in the timed loop.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "socketio_emitter.h"

#define CHECK_EVERY 128

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, sioe_status st, sioe_error *err) {
    fprintf(stderr, "c_runner: %s: %s (%s)\n", what, sioe_status_name(st),
            err ? sioe_error_message(err) : "");
    sioe_error_free(err);
    exit(1);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

struct bench {
    sioe_emitter *room;
    const char *args;
    size_t args_len;
    sioe_buffers *bufs;
    int queue;
};

static void loop(const struct bench *b, double seconds, unsigned long *ops_out, double *secs_out,
                 unsigned long *receivers_out) {
    sioe_error *err = NULL;
    unsigned long ops = 0, receivers = 0;
    double start = now();
    while (now() - start < seconds) {
        for (int i = 0; i < CHECK_EVERY; i++) {
            uint64_t n = 0;
            sioe_status st = b->queue
                ? sioe_emitter_enqueue(b->room, "bench", 5, b->args, b->args_len, b->bufs, &n, &err)
                : sioe_emitter_emit(b->room, "bench", 5, b->args, b->args_len, b->bufs, &n, &err);
            if (st != SIOE_STATUS_OK) die(b->queue ? "enqueue" : "emit", st, err);
            if (!b->queue) receivers += n;
        }
        ops += CHECK_EVERY;
    }
    if (b->queue) {
        uint64_t sent = 0, recv = 0;
        sioe_status st = sioe_emitter_flush(b->room, &sent, &recv, &err);
        if (st != SIOE_STATUS_OK) die("flush", st, err);
        receivers = recv;
    }
    *ops_out = ops;
    *secs_out = now() - start;
    *receivers_out = receivers;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s URL ARGS_JSON_FILE sync|queue SECONDS WARMUP\n", argv[0]);
        return 2;
    }
    struct bench b = {0};
    b.args = slurp(argv[2], &b.args_len);
    b.queue = strcmp(argv[3], "queue") == 0;
    double seconds = atof(argv[4]), warmup = atof(argv[5]);
    sioe_error *err = NULL;
    sioe_status st;
    if (strstr(b.args, "\"$bin\"")) {
        static char bin[65536];
        for (size_t i = 0; i < sizeof bin; i++) bin[i] = (char)((i * 31 + 7) % 256);
        b.bufs = sioe_buffers_new();
        if ((st = sioe_buffers_add(b.bufs, bin, sizeof bin, NULL, &err)) != SIOE_STATUS_OK)
            die("buffers_add", st, err);
    }
    sioe_emitter *io = NULL;
    if ((st = sioe_connect(argv[1], strlen(argv[1]), NULL, &io, &err)) != SIOE_STATUS_OK)
        die("connect", st, err);
    if ((st = sioe_emitter_to(io, "room1", 5, &b.room, &err)) != SIOE_STATUS_OK)
        die("to", st, err);
    unsigned long ops, receivers;
    double secs;
    loop(&b, warmup, &ops, &secs, &receivers);
    double cpu_start = cpu_seconds();
    loop(&b, seconds, &ops, &secs, &receivers);
    double cpu_s = cpu_seconds() - cpu_start;
    if ((st = sioe_emitter_close(io, NULL, NULL, &err)) != SIOE_STATUS_OK) die("close", st, err);
    sioe_emitter_free(b.room);
    sioe_emitter_free(io);
    sioe_buffers_free(b.bufs);
    printf("{\"ops\":%lu,\"secs\":%.6f,\"receivers\":%lu,\"cpu_s\":%.6f}\n", ops, secs, receivers,
           cpu_s);
    return 0;
}
