import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `testbedd` started for one test, stopped with a signal.
final class DaemonProcess: Sendable {
    let child: ChildProcess
    let socket: String
    let logPath: String

    /// Starts `executable arguments` (testbedd, or a wrapper that execs it), its
    /// output in `logPath`. Call `waitUntilAccepting` before talking to it.
    init(
        executable: String = Binaries.testbedd, arguments: [String], socket: String, logPath: String,
        environment: [String: String] = [:], in folder: String? = nil
    ) throws {
        self.socket = socket
        self.logPath = logPath
        child = try ChildProcess(
            executable, arguments, environment: childEnvironment(environment), folder: folder,
            stdout: logPath, stderr: logPath)
    }

    /// A daemon on `sandbox`'s socket and state folder, with `extra` flags, accepting.
    static func start(in sandbox: Sandbox, store: String = "file", extra: [String] = []) async throws -> DaemonProcess {
        let daemon = try DaemonProcess(
            arguments: ["--socket", sandbox.socket, "--state-dir", sandbox.state, "--store", store, "--log-level", "debug"] + extra,
            socket: sandbox.socket, logPath: sandbox.path + "/testbedd-\(UUID().uuidString.prefix(8)).log")
        try await daemon.waitUntilAccepting()
        return daemon
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls until the socket accepts a connection.
    /// Waits until `socket` and every one of `others` accept a connection.
    /// (systemd-socket-activate binds its sockets one after the other, so the
    /// first can accept before the last exists.)
    func waitUntilAccepting(alsoOn others: [String] = [], timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        var waiting = [socket] + others
        while ContinuousClock.now < deadline {
            while let path = waiting.first, let client = try? RawClient(path: path) {
                client.close()
                waiting.removeFirst()
            }
            if waiting.isEmpty { return }
            if let status = child.exitStatus {
                throw ProcessRunError("testbedd exited with \(status) before accepting:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ProcessRunError("testbedd did not accept on \(waiting.joined(separator: ", ")) within \(timeout):\n\(log)")
    }

    /// Sends `signal` and waits for the process to exit; returns its status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async throws -> Int32 {
        child.send(signal)
        return try await waitForExit(timeout: timeout)
    }

    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        try await child.wait(timeout: timeout, what: "testbedd (log: \(log))")
    }
}
