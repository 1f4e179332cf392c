#ifndef TESTBED_SHIMS_H
#define TESTBED_SHIMS_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in its own process group, in folder
/// `cwd`, with stdin from /dev/null, stdout and stderr on `output_fd`, default
/// signal dispositions, nothing blocked, and no other file descriptor
/// inherited. Returns the pid, or -1 with the error number in `*error_out`.
/// (posix_spawn's closefrom and chdir actions are GNU extensions Swift cannot see.)
pid_t testbed_spawn(const char *path, char *const argv[], char *const envp[],
                    const char *cwd, int output_fd, int *error_out);

#endif
