import Foundation

/// A fresh folder under /tmp for one test: state, sockets, project folders.
/// Paths stay short because Unix socket paths must fit in 108 bytes.
final class Sandbox: @unchecked Sendable {
    let path: String

    init() throws {
        path = "/tmp/tbi-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        owned = true
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    private let owned: Bool

    /// A handle on an existing sandbox folder, which it does not remove.
    init(reusing path: String) {
        self.path = path
        owned = false
    }

    deinit { if owned { try? FileManager.default.removeItem(atPath: path) } }

    var socket: String { path + "/d.sock" }
    var state: String { path + "/state" }

    /// Creates a project folder holding a kvm-compose.yaml.
    func project(_ name: String) throws -> String {
        let folder = path + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("machines: []\n".utf8).write(to: URL(fileURLWithPath: folder + "/kvm-compose.yaml"))
        return folder
    }

    func write(_ text: String, to name: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}
