import Foundation

/// The outcome of running a program to completion.
struct ProcessRun: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Runs `executable` with `arguments`, output captured through files (no pipe can fill up).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        in folder: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> ProcessRun {
        let scratch = "/tmp/tbr-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let child = try ChildProcess(
            executable, arguments, environment: childEnvironment(environment), folder: folder,
            stdout: scratch + "/out", stderr: scratch + "/err")
        let status = try await child.wait(timeout: timeout, what: "\(executable) \(arguments)")
        return ProcessRun(
            status: status,
            stdout: (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? "")
    }
}

struct ProcessRunError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
