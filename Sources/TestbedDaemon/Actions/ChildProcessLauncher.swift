import CTestbedShims
import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Runs the orchestrator as a child of the daemon, in its own process group,
/// inheriting no file descriptor but its output.
public struct ChildProcessLauncher: ActionLauncher {
    public init() {}

    public func launch(_ invocation: OrchestratorInvocation) throws -> any LaunchedProcess {
        let argv = ([invocation.executable] + invocation.arguments).map { strdup($0) } + [nil]
        let envp = invocation.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var error: Int32 = 0
        let pid = testbed_spawn(invocation.executable, argv, envp, invocation.workingDirectoryFD, invocation.outputFD, &error)
        guard pid > 0 else {
            throw LaunchError("cannot start \(invocation.executable): \(String(cString: strerror(error)))")
        }
        return ChildProcess(pid: pid)
    }

    /// A child started by this launcher; its group id is its pid.
    ///
    /// Once it exits it stays a zombie until `release()`: as long as it is
    /// not reaped, its pid, and so its process group id, cannot be reused, so
    /// a signal to the group (a cancel's SIGKILL for children that outlived
    /// it) can never reach an unrelated process group. After `release()` no
    /// signal is sent at all.
    final class ChildProcess: LaunchedProcess {
        let pid: Int32
        private let reaped = Locked(false)

        init(pid: Int32) {
            self.pid = pid
        }

        func signalAll(_ signal: Int32) {
            reaped.withLock { reaped in
                if !reaped { kill(-pid, signal) }
            }
        }

        /// Waits without a thread of its own: the child's pidfd becomes readable
        /// when it exits, and `KernelEvents` then reads its status (the child
        /// stays a zombie). Without pidfds (Linux before 5.3), a thread waits.
        func waitForExit() async -> ProcessTermination {
            await withCheckedContinuation { continuation in
                let pid = self.pid
                let pidfd = testbed_pidfd_open(pid)
                if pidfd >= 0 {
                    let events = KernelEvents.shared
                    // The handler may run before `watch` returns its token; then the
                    // registering side unwatches and closes. Never close before unwatching:
                    // the number could be reused by another watched descriptor.
                    let state = Locked<(token: UInt64?, fired: Bool)>((nil, false))
                    let exited: @Sendable () -> Void = {
                        let (first, token) = state.withLock { state -> (Bool, UInt64?) in
                            defer { state.fired = true }
                            return (!state.fired, state.token)
                        }
                        guard first else { return }
                        if let token {
                            events.unwatch(pidfd, token: token)
                            close(pidfd)
                        }
                        continuation.resume(returning: Self.status(pid))
                    }
                    do {
                        let token = try events.watch(pidfd, handler: exited)
                        let firedAlready = state.withLock { state -> Bool in
                            state.token = token
                            return state.fired
                        }
                        if firedAlready {
                            events.unwatch(pidfd, token: token)
                            close(pidfd)
                        }
                    } catch {
                        close(pidfd)
                        Thread.detachNewThread { continuation.resume(returning: Self.status(pid)) }
                    }
                } else {
                    Thread.detachNewThread { continuation.resume(returning: Self.status(pid)) }
                }
            }
        }

        /// The exit status of `pid`, waiting for it if it still runs; the child stays a zombie.
        private static func status(_ pid: Int32) -> ProcessTermination {
            var code: Int32 = 0
            var signal: Int32 = 0
            guard testbed_wait_exit_keeping_zombie(pid, &code, &signal) == 0 else { return .signaled(SIGKILL) }
            return signal == 0 ? .exited(code) : .signaled(signal)
        }

        func release() {
            reaped.withLock { reaped in
                guard !reaped else { return }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                reaped = true
            }
        }
    }
}
