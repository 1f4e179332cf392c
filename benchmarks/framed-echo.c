/*
 * framed-echo: the floor any server of testbedd's protocol could reach. A
 * single-threaded epoll server on a Unix socket that reads length-prefixed
 * frames (4-byte big-endian length, then the payload) and answers each with a
 * fixed frame of REPLY_BYTES, writing all of one read's answers at once. No
 * framework, no parsing. Used by testbed-bench as an in-run baseline.
 *
 *     framed-echo SOCKET REPLY_BYTES
 *
 * Prints "ready" once it listens; runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FRAME (1 << 20)

struct conn {
    int fd;
    unsigned char *in;
    size_t in_len, in_cap;
    unsigned char *out;
    size_t out_len, out_cap, out_off;
};

static unsigned char *reply;
static size_t reply_len;

static void die(const char *what) { perror(what); exit(1); }

static void grow(unsigned char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return;
    size_t cap2 = *cap ? *cap : 4096;
    while (cap2 < need) cap2 *= 2;
    if (!(*buf = realloc(*buf, cap2))) die("realloc");
    *cap = cap2;
}

static void close_conn(int ep, struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

/* Writes what is queued; returns -1 when the peer is gone. */
static int flush_out(int ep, struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                return 0;
            }
            return -1;
        }
        c->out_off += (size_t)n;
    }
    c->out_len = c->out_off = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: framed-echo SOCKET REPLY_BYTES\n");
        return 64;
    }
    reply_len = 4 + (size_t)atoi(argv[2]);
    reply = malloc(reply_len);
    uint32_t n = (uint32_t)(reply_len - 4);
    reply[0] = n >> 24; reply[1] = n >> 16; reply[2] = n >> 8; reply[3] = n;
    memset(reply + 4, ' ', reply_len - 4);

    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    unlink(argv[1]);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 256) < 0) die("listen");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &lev);
    printf("ready\n");
    fflush(stdout);

    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(ep, events, 256, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < ready; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            if (events[i].events & EPOLLOUT) {
                if (flush_out(ep, c) < 0) { close_conn(ep, c); continue; }
            }
            if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            grow(&c->in, &c->in_cap, c->in_len + 65536);
            ssize_t got = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                close_conn(ep, c);
                continue;
            }
            c->in_len += (size_t)got;
            size_t off = 0;
            while (c->in_len - off >= 4) {
                unsigned char *h = c->in + off;
                size_t len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
                if (len == 0 || len > MAX_FRAME) { off = SIZE_MAX; break; }
                if (c->in_len - off < 4 + len) break;
                off += 4 + len;
                grow(&c->out, &c->out_cap, c->out_len + reply_len);
                memcpy(c->out + c->out_len, reply, reply_len);
                c->out_len += reply_len;
            }
            if (off == SIZE_MAX) { close_conn(ep, c); continue; }
            memmove(c->in, c->in + off, c->in_len - off);
            c->in_len -= off;
            if (c->out_len && flush_out(ep, c) < 0) close_conn(ep, c);
        }
    }
}
