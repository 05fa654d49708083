/*
 * publish_blast: redis-benchmark's PUBLISH loop for payloads redis-benchmark cannot send.
 *
 *   publish_blast PORT CHANNEL_FILE PAYLOAD_FILE REQUESTS PIPELINE [COMMAND]
 *
 * COMMAND is PUBLISH (the default) or SPUBLISH (the sharded adapter's rows).
 *
 * `redis-benchmark -x` reads the last argument with C string functions, so a payload with a
 * NUL byte (any msgpack binary of 256 bytes or more) is cut short. This tool does what
 * redis-benchmark -c 1 does: the command is formatted once, then PIPELINE copies are written
 * and PIPELINE replies read, until REQUESTS were answered. It prints one JSON line
 * {"ops":N,"secs":S,"receivers":R,"cpu_s":C} (C: its CPU time, user + system, in that
 * loop). bench/run.py checks it against redis-benchmark on the payloads both can send.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) { perror("write"); exit(3); }
        p += w;
        n -= (size_t)w;
    }
}

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

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s PORT CHANNEL_FILE PAYLOAD_FILE REQUESTS PIPELINE [COMMAND]\n", argv[0]);
        return 2;
    }
    const char *command = argc == 7 ? argv[6] : "PUBLISH";
    int port = atoi(argv[1]);
    size_t clen, plen;
    char *channel = slurp(argv[2], &clen);
    char *payload = slurp(argv[3], &plen);
    long requests = atol(argv[4]);
    int pipeline = atoi(argv[5]);
    if (requests <= 0 || pipeline <= 0) { fprintf(stderr, "bad counts\n"); return 2; }

    /* One formatted command, repeated PIPELINE times in one buffer. */
    char head[128];
    int hlen = snprintf(head, sizeof head, "*3\r\n$%zu\r\n%s\r\n$%zu\r\n", strlen(command), command, clen);
    if (hlen <= 0 || (size_t)hlen >= sizeof head) { fprintf(stderr, "command too long\n"); return 2; }
    char mid[64];
    int mlen = snprintf(mid, sizeof mid, "\r\n$%zu\r\n", plen);
    size_t cmdlen = (size_t)hlen + clen + (size_t)mlen + plen + 2;
    char *batch = malloc(cmdlen * (size_t)pipeline);
    for (int i = 0; i < pipeline; i++) {
        char *p = batch + cmdlen * (size_t)i;
        memcpy(p, head, (size_t)hlen); p += hlen;
        memcpy(p, channel, clen); p += clen;
        memcpy(p, mid, (size_t)mlen); p += mlen;
        memcpy(p, payload, plen); p += plen;
        memcpy(p, "\r\n", 2);
    }

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 3; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    char rbuf[65536];
    long done = 0, receivers = 0;
    long cur = 0; /* the integer of the reply being read */
    int in_reply = 0;
    double start = now();
    double cpu_start = cpu_seconds();
    while (done < requests) {
        long n = requests - done < pipeline ? requests - done : pipeline;
        write_all(fd, batch, cmdlen * (size_t)n);
        long got = 0;
        while (got < n) {
            ssize_t r = read(fd, rbuf, sizeof rbuf);
            if (r <= 0) { perror("read"); return 3; }
            for (ssize_t i = 0; i < r; i++) {
                char c = rbuf[i];
                if (c == ':') { in_reply = 1; cur = 0; }
                else if (c == '-') { fprintf(stderr, "Redis error reply\n"); return 3; }
                else if (c == '\n' && in_reply) { in_reply = 0; receivers += cur; got++; }
                else if (in_reply && c >= '0' && c <= '9') cur = cur * 10 + (c - '0');
            }
        }
        done += n;
    }
    double secs = now() - start;
    double cpu_s = cpu_seconds() - cpu_start;
    printf("{\"ops\":%ld,\"secs\":%.6f,\"receivers\":%ld,\"cpu_s\":%.6f}\n", done, secs, receivers, cpu_s);
    close(fd);
    return 0;
}
