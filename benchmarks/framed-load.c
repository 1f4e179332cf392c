/*
 * framed-load: a load generator for testbedd's protocol, in plain C so that
 * it costs the same against testbedd as against the framed-echo baseline. It
 * opens CONNECTIONS Unix-socket connections and keeps INFLIGHT requests in
 * flight on each: `{"jsonrpc":"2.0","id":N,"method":METHOD[,"params":PARAMS]}`
 * with a fresh id each time, framed with a 4-byte big-endian length. It runs
 * WARMUP seconds unmeasured, then SECONDS measured, in one epoll thread, and
 * prints one JSON object: requests answered, requests per second, and the
 * round-trip percentiles in microseconds.
 *
 *     framed-load SOCKET CONNECTIONS INFLIGHT SECONDS WARMUP METHOD [PARAMS]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    unsigned char in[1 << 16];
    size_t in_len;
    double *sent; /* send times of the requests in flight, oldest first (a ring) */
    int head, count;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static const char *method, *params;
static long long next_id = 1;
static int inflight;

static int send_request(struct conn *c, double at) {
    char body[4096];
    int n = params ? snprintf(body + 4, sizeof body - 4, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":\"%s\",\"params\":%s}", next_id++, method, params)
                   : snprintf(body + 4, sizeof body - 4, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":\"%s\"}", next_id++, method);
    body[0] = n >> 24; body[1] = n >> 16; body[2] = n >> 8; body[3] = n;
    size_t off = 0, total = (size_t)n + 4;
    while (off < total) { /* small and bounded by INFLIGHT: the socket buffer takes it */
        ssize_t w = write(c->fd, body + off, total - off);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -1;
        }
        off += (size_t)w;
    }
    c->sent[(c->head + c->count) % inflight] = at;
    c->count++;
    return 0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: framed-load SOCKET CONNECTIONS INFLIGHT SECONDS WARMUP METHOD [PARAMS]\n");
        return 64;
    }
    int connections = atoi(argv[2]);
    inflight = atoi(argv[3]);
    double seconds = atof(argv[4]), warmup = atof(argv[5]);
    method = argv[6];
    params = argc > 7 ? argv[7] : NULL;

    /* Never hang a benchmark run: a server that stops answering ends it. */
    alarm((unsigned)(seconds + warmup) + 30);
    int ep = epoll_create1(0);
    struct conn **conns = calloc((size_t)connections, sizeof *conns);
    double start = now();
    for (int i = 0; i < connections; i++) {
        struct conn *c = calloc(1, sizeof *c);
        c->sent = calloc((size_t)inflight, sizeof(double));
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        conns[i] = c;
        for (int k = 0; k < inflight; k++) send_request(c, start);
    }

    size_t cap = 1 << 20, samples = 0;
    double *rtt = malloc(cap * sizeof(double));
    long long answered = 0;
    double measure_from = start + warmup, end = measure_from + seconds;
    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(ep, events, 256, 100);
        double t = now();
        if (t >= end) break;
        for (int i = 0; i < ready; i++) {
            struct conn *c = events[i].data.ptr;
            ssize_t got = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                fprintf(stderr, "framed-load: the server closed a connection\n");
                return 1;
            }
            c->in_len += (size_t)got;
            size_t off = 0;
            while (c->in_len - off >= 4) {
                unsigned char *h = c->in + off;
                size_t len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
                if (len + 4 > sizeof c->in) { fprintf(stderr, "framed-load: answer too large\n"); return 1; }
                if (c->in_len - off < 4 + len) break;
                off += 4 + len;
                double sent = c->sent[c->head];
                c->head = (c->head + 1) % inflight;
                c->count--;
                if (t >= measure_from) {
                    answered++;
                    if (samples == cap) rtt = realloc(rtt, (cap *= 2) * sizeof(double));
                    rtt[samples++] = (t - sent) * 1e6;
                }
                if (send_request(c, t) < 0) { fprintf(stderr, "framed-load: write failed\n"); return 1; }
            }
            memmove(c->in, c->in + off, c->in_len - off);
            c->in_len -= off;
        }
    }
    qsort(rtt, samples, sizeof(double), cmp);
    double p50 = samples ? rtt[samples / 2] : 0, p99 = samples ? rtt[samples * 99 / 100] : 0;
    printf("{\"requests\":%lld,\"seconds\":%.3f,\"per_second\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f}\n",
           answered, seconds, answered / seconds, p50, p99);
    return 0;
}
