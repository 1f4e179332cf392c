#define _GNU_SOURCE
#include "testbed_shims.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>

/* The one way children are started: stdin from `input_fd` (or /dev/null if
 * negative), stdout and stderr from `output_fd` and `error_fd`, in the folder
 * open as `cwd_fd` (if >= 0) or named `cwd` (if not NULL), in a new process
 * group if `own_group`, with default signal dispositions, nothing blocked, and
 * no other descriptor inherited. */
static pid_t spawn_child(const char *path, char *const argv[], char *const envp[],
                         int cwd_fd, const char *cwd, int input_fd, int output_fd, int error_fd,
                         int own_group, int *error_out) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t none, all;
    pid_t pid = -1;
    int error;

    if ((error = posix_spawn_file_actions_init(&actions)) != 0) {
        *error_out = error;
        return -1;
    }
    if ((error = posix_spawnattr_init(&attributes)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        *error_out = error;
        return -1;
    }
    sigemptyset(&none);
    sigfillset(&all);
    error = input_fd >= 0
        ? posix_spawn_file_actions_adddup2(&actions, input_fd, 0)
        : posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, error_fd, 2);
    if (!error && cwd_fd >= 0) error = posix_spawn_file_actions_addfchdir_np(&actions, cwd_fd);
    if (!error && cwd) error = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    if (!error) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!error && own_group) error = posix_spawnattr_setpgroup(&attributes, 0);
    if (!error) error = posix_spawnattr_setsigmask(&attributes, &none);
    if (!error) error = posix_spawnattr_setsigdefault(&attributes, &all);
    if (!error) error = posix_spawnattr_setflags(&attributes,
        POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (own_group ? POSIX_SPAWN_SETPGROUP : 0));
    if (!error) error = posix_spawn(&pid, path, &actions, &attributes, argv, envp);

    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (error) {
        *error_out = error;
        return -1;
    }
    return pid;
}

pid_t testbed_spawn(const char *path, char *const argv[], char *const envp[],
                    int cwd_fd, int output_fd, int *error_out) {
    return spawn_child(path, argv, envp, cwd_fd, NULL, -1, output_fd, output_fd, 1, error_out);
}

int testbed_open_folder(const char *path) {
    return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

size_t testbed_malloc_free_bytes(void) {
    return mallinfo2().fordblks;
}

int testbed_malloc_trim(void) {
    return malloc_trim(0);
}

/* waitid(WEXITED | WNOWAIT | extra) on `pid`, retried on EINTR: the child stays a zombie. */
static int peek_exit(pid_t pid, int extra, siginfo_t *info) {
    int result;
    do {
        info->si_pid = 0;
        result = waitid(P_PID, (id_t)pid, info, WEXITED | WNOWAIT | extra);
    } while (result < 0 && errno == EINTR);
    return result;
}

int testbed_wait_exit_keeping_zombie(pid_t pid, int *exit_code, int *signal_number) {
    siginfo_t info;
    if (peek_exit(pid, 0, &info) < 0) return -1;
    *exit_code = -1;
    *signal_number = 0;
    if (info.si_code == CLD_EXITED) {
        *exit_code = info.si_status;
    } else {
        *signal_number = info.si_status;
    }
    return 0;
}

int testbed_enter_network_namespace(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int testbed_catch_signal(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    return sigaction(signal_number, &action, NULL);
}

pid_t testbed_spawn_in_group(const char *path, char *const argv[], char *const envp[], const char *cwd,
                             int input_fd, int output_fd, int error_fd, int own_group, int *error_out) {
    return spawn_child(path, argv, envp, -1, cwd, input_fd, output_fd, error_fd, own_group, error_out);
}

int testbed_child_has_exited(pid_t pid) {
    siginfo_t info;
    if (peek_exit(pid, WNOHANG, &info) < 0) return -1;
    return info.si_pid == pid ? 1 : 0;
}

int testbed_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int testbed_epoll_add(int epoll_fd, int fd, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = EPOLLIN;
    event.data.u64 = token;
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

int testbed_epoll_wait(int epoll_fd, uint64_t *tokens, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count;
    do {
        count = epoll_wait(epoll_fd, events, capacity, timeout_ms);
    } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}

int testbed_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int testbed_epoll_remove(int epoll_fd, int fd) {
    return epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}

const void *testbed_memrchr(const void *s, int c, size_t n) {
    return memrchr(s, c, n);
}
