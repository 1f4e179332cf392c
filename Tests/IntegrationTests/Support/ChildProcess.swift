import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with waitpid.
///
/// Foundation's `Process` is not used on purpose: on Linux it notices a child's
/// exit through a socket the child inherits, and a long-lived daemon spawned at
/// the same moment from another test inherits it too, so the exit goes unseen
/// until the daemon dies. Tests here start many processes concurrently.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` with stdin from /dev/null and stdout/stderr appended to files.
    init(
        _ executable: String, _ arguments: [String], environment: [String: String],
        folder: String? = nil, stdout: String, stderr: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        // Glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift; env(1) changes folder instead.
        let (program, programArguments) = folder.map { ("/usr/bin/env", ["-C", $0, executable] + arguments) }
            ?? (executable, arguments)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Children start with default signal dispositions and nothing blocked,
        // whatever the test runner set for itself.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([program] + programArguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw ProcessRunError("cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    /// The exit status once the child has exited (128 + N after signal N), else nil.
    var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return status
    }

    var isRunning: Bool { exitStatus == nil }

    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for the child to exit; after `timeout` it is killed and an error thrown.
    func wait(timeout: Duration, what: @autoclosure () -> String) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = exitStatus { return status }
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = try? await wait(timeout: .seconds(5), what: "")
                throw ProcessRunError("\(what()) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            waitpid(pid, &raw, 0)
        }
    }
}

/// The environment of this test process without the variables that would
/// change what the programs under test do, plus `extra`.
func childEnvironment(_ extra: [String: String]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for key in ["TESTBED_SOCKET", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC"] {
        environment.removeValue(forKey: key)
    }
    return environment.merging(extra) { _, new in new }
}
