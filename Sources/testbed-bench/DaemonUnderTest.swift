import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A real testbedd (the release binary beside this one) on a socket of its own.
final class DaemonUnderTest {
    let socket: String
    let process: Process

    init(binFolder: String, work: String, name: String, extra: [String] = []) async throws {
        socket = work + "/\(name).sock"
        process = Process()
        process.executableURL = URL(fileURLWithPath: binFolder + "/testbedd")
        process.arguments = ["--socket", socket, "--ro-socket", "", "--socket-group", "", "--state-dir", work + "/\(name)-state",
                             "--log-level", "error"] + extra
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        for _ in 0..<1000 {
            if let connection = try? await RPCConnection.connect(unixSocketPath: socket) {
                await connection.close()
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("testbedd did not start on \(socket)")
    }

    var pid: Int32 { process.processIdentifier }

    func connect() async throws -> RPCConnection { try await RPCConnection.connect(unixSocketPath: socket) }

    /// A status line of /proc/PID/status, in KiB (VmRSS, VmHWM).
    func kibibytes(_ field: String) -> Int { Self.kibibytes(field, of: pid) }

    static func kibibytes(_ field: String, of pid: Int32) -> Int {
        kibibytes(field, ofFile: "/proc/\(pid)/status")
    }

    /// A "Field:   N kB" line of a /proc file.
    static func kibibytes(_ field: String, ofFile path: String) -> Int {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
