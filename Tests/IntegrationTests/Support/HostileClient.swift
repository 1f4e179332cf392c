import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `Tests/Fixtures/hostile-client` run as another uid: connections that never
/// read, hold half a frame, or just sit, as an unprivileged local user could.
final class HostileClient: Sendable {
    /// What the client reported once its connections were in place.
    struct Report: Decodable, Sendable {
        /// Connections the daemon kept.
        var opened: Int
        /// Connections the daemon closed after saying why.
        var refused: Int
        /// The reasons it gave, each once.
        var refusals: [String]
        var sent: Int
    }

    /// A copy any user can run (see `publicCopy`).
    static let program = publicCopy(
        of: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile-client").path,
        as: "hostile-client")

    let child: ChildProcess
    let report: Report

    /// Starts `hostile-client socket arguments...` as `uid` (with a descriptor
    /// limit of its own high enough for its connections) and waits for its report.
    init(uid: UInt32 = 65534, socket: String, _ arguments: [String], in sandbox: Sandbox) async throws {
        let out = sandbox.path + "/hostile-\(UUID().uuidString.prefix(8)).out"
        child = try ChildProcess(
            "/usr/bin/prlimit",
            ["--nofile=8192:8192", "/usr/bin/setpriv", "--reuid", String(uid), "--regid", String(uid), "--clear-groups", "--",
             Self.program, socket] + arguments,
            environment: childEnvironment([:]), stdout: out, stderr: out)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("{") }) {
                report = try JSONDecoder().decode(Report.self, from: Data(line.utf8))
                return
            }
            if let status = child.exitStatus { throw ProcessRunError("hostile-client exited with \(status): \(text)") }
            if ContinuousClock.now > deadline { throw ProcessRunError("hostile-client gave no report: \(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Ends the client: the daemon sees its connections close.
    func stop() async throws {
        child.send(SIGKILL)
        _ = try await child.wait(timeout: .seconds(10), what: "hostile-client")
    }
}

/// What /proc says of a process: its memory and CPU time.
enum ProcessStatus {
    /// A field of /proc/PID/status in bytes (VmRSS, VmHWM).
    static func bytes(_ field: String, of pid: pid_t) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// User plus system CPU time, in seconds.
    static func cpuSeconds(of pid: pid_t) -> Double {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let end = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: end)...].split(separator: " ")
        // After the command name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Open descriptors.
    static func descriptors(of pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }
}
