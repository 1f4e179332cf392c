/*
 * socket-throughput: what one Unix stream socket carries on this machine, the
 * ceiling for following a log. A child writes MIB mebibytes in 256 KiB writes
 * into a socketpair; the parent reads them; prints one JSON object.
 *
 *     socket-throughput MIB
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long long total = (argc > 1 ? atoll(argv[1]) : 256) << 20;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) { perror("socketpair"); return 1; }
    static char buffer[256 << 10];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        for (long long sent = 0; sent < total;) {
            ssize_t n = write(fds[1], buffer, sizeof buffer);
            if (n <= 0) _exit(1);
            sent += n;
        }
        _exit(0);
    }
    close(fds[1]);
    long long got = 0;
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0) got += n;
    waitpid(child, NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("{\"bytes\":%lld,\"seconds\":%.4f,\"bytes_per_second\":%.0f}\n", got, seconds, got / seconds);
    return 0;
}
