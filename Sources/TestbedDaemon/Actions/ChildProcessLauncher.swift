import CTestbedShims
import Foundation
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
    struct ChildProcess: LaunchedProcess {
        let pid: Int32

        func signalAll(_ signal: Int32) {
            kill(-pid, signal)
        }

        func waitForExit() async -> ProcessTermination {
            // waitpid blocks, so it gets a thread of its own for the child's lifetime.
            await withCheckedContinuation { continuation in
                let pid = self.pid
                Thread.detachNewThread {
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    let signal = status & 0x7f
                    continuation.resume(returning: signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal))
                }
            }
        }
    }
}

/// Why the orchestrator could not be started.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
