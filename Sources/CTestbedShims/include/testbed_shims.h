#ifndef TESTBED_SHIMS_H
#define TESTBED_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in its own process group, in the
/// folder open as `cwd_fd` (the very folder that was checked, whatever its
/// path now names), with stdin from /dev/null, stdout and stderr on
/// `output_fd`, default signal dispositions, nothing blocked, and no other file
/// descriptor inherited. Returns the pid, or -1 with the error number in
/// `*error_out`. (posix_spawn's fchdir and closefrom actions are GNU
/// extensions Swift cannot see.)
pid_t testbed_spawn(const char *path, char *const argv[], char *const envp[],
                    int cwd_fd, int output_fd, int *error_out);

/// memrchr (a GNU extension Swift cannot see): the last byte `c` in the
/// first `n` bytes at `s`, or NULL.
const void *testbed_memrchr(const void *s, int c, size_t n);

/// Opens the folder `path` as a handle to check and to run in, not to read:
/// open(path, O_PATH | O_DIRECTORY | O_CLOEXEC). Returns -1 with errno set.
int testbed_open_folder(const char *path);

/// Room for the supplementary groups SO_PEERGROUPS reports. A peer in more
/// groups than this gets ERANGE, and the daemon then grants no group-based role.
/// The kernel does not say how many it wrote into a larger buffer, so unused
/// slots stay 0 and gid 0 is never counted as a supplementary group.
struct testbed_peer_groups {
    unsigned int gids[256];
};

/// Waits until child `pid` has exited without reaping it (waitid with
/// WNOWAIT): it stays a zombie, so neither its pid nor its process group id
/// can be given to another process until it is reaped. Returns 0 with
/// `*exit_code` (>= 0) or `*signal_number` (> 0) set, or -1 with errno set.
int testbed_wait_exit_keeping_zombie(pid_t pid, int *exit_code, int *signal_number);

/// Bytes glibc's arenas hold free (mallinfo2's fordblks): what `malloc_trim`
/// could give back to the system. (malloc.h is not part of Swift's Glibc.)
size_t testbed_malloc_free_bytes(void);

/// glibc's malloc_trim(0): returns free pages of every arena to the system;
/// 1 if some memory was released.
int testbed_malloc_trim(void);

/// Starts `path` with `argv` and `envp` in the caller's own process group (a
/// signal to the group reaches it), or with `own_group` in a new group it
/// leads, in the folder `cwd` (unchanged if NULL),
/// with stdin, stdout and stderr from the given descriptors, default signal
/// dispositions, nothing blocked, and no other descriptor inherited. Returns
/// the pid, or -1 with the error number in `*error_out`.
pid_t testbed_spawn_in_group(const char *path, char *const argv[], char *const envp[], const char *cwd,
                             int input_fd, int output_fd, int error_fd, int own_group, int *error_out);

/// Whether child `pid` has exited, without reaping it (waitid with WNOHANG and
/// WNOWAIT): 1 if it has, 0 if it runs, -1 with errno set.
int testbed_child_has_exited(pid_t pid);

/// pidfd_open(pid, 0): a descriptor that becomes readable when process `pid`
/// exits (Linux 5.3 and later). -1 with errno set (ENOSYS on older kernels).
int testbed_pidfd_open(pid_t pid);

/// epoll_create1(EPOLL_CLOEXEC). Returns the descriptor, or -1 with errno set.
int testbed_epoll_create(void);

/// epoll_ctl(EPOLL_CTL_DEL) of `fd`. Returns 0, or -1 with errno set.
int testbed_epoll_remove(int epoll_fd, int fd);

/// epoll_ctl(EPOLL_CTL_ADD) of `fd` for reading, level-triggered, with `token`
/// as its data. (struct epoll_event is packed on x86-64, which Swift cannot
/// lay out.) Returns 0, or -1 with errno set.
int testbed_epoll_add(int epoll_fd, int fd, uint64_t token);

/// Waits up to `timeout_ms` (-1: for ever) for readable descriptors of
/// `epoll_fd`, writing up to `capacity` of their tokens to `tokens`. Returns
/// how many, 0 on timeout, or -1 with errno set.
int testbed_epoll_wait(int epoll_fd, uint64_t *tokens, int capacity, int timeout_ms);

/// Moves the calling thread into the network namespace open as `fd`
/// (setns(fd, CLONE_NEWNET)). Returns 0, or -1 with errno set.
int testbed_enter_network_namespace(int fd);

/// Installs `handler` for `signal_number` with sigaction and SA_RESTART, so a
/// signal that only sets a flag does not make blocking calls fail with EINTR.
int testbed_catch_signal(int signal_number, void (*handler)(int));

#endif
