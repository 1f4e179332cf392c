import Foundation

/// A fresh folder under /tmp, removed when the test's scope ends. (A copy of
/// TestbedDaemonTests' helper, without what only the daemon's tests use: test
/// targets share no code.)
final class TemporaryFolder: @unchecked Sendable {
    let path: String

    init() throws {
        path = "/tmp/tbd-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
