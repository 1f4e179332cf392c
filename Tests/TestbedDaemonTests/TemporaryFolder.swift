import Foundation

/// A fresh folder under /tmp, removed when the test's scope ends. Paths stay
/// short because Unix socket paths must fit in 108 bytes.
final class TemporaryFolder: @unchecked Sendable {
    let path: String

    init() throws {
        path = "/tmp/tbd-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Creates a project folder `name` holding an empty kvm-compose.yaml.
    func project(_ name: String = "project") throws -> String {
        let folder = path + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("services: {}\n".utf8).write(to: URL(fileURLWithPath: folder + "/kvm-compose.yaml"))
        return folder
    }
}
