import CTestbedShims
import Foundation

/// A named network namespace, as `ip netns` keeps them: a bind mount in /run/netns.
public struct NetworkNamespace: Hashable, Sendable {
    public static let folder = "/run/netns"
    public var name: String

    public init(_ name: String) { self.name = name }

    public var path: String { "\(Self.folder)/\(name)" }

    /// The namespace's identity (its nsfs inode), or nil if no such namespace exists.
    public var inode: UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        // An unmounted leftover file in /run/netns is a plain empty file on tmpfs,
        // not a namespace: a namespace is on nsfs, as our own is.
        var own = stat()
        guard stat("/proc/self/ns/net", &own) == 0, own.st_dev == info.st_dev else { return nil }
        return UInt64(info.st_ino)
    }

    public var exists: Bool { inode != nil }

    /// Every name in /run/netns that starts with `prefix`.
    public static func all(withPrefix prefix: String) -> [NetworkNamespace] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().map(NetworkNamespace.init)
    }

    /// Writes sysctl values inside this namespace: `/proc/sys/net` answers for the
    /// namespace of the thread that opens it, so the calling thread enters the
    /// namespace, writes, and returns to its own.
    public func setSysctls(_ values: [(key: String, value: String)]) throws(OrchestratorError) {
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        let target = open(path, O_RDONLY | O_CLOEXEC)
        defer {
            if home >= 0 { close(home) }
            if target >= 0 { close(target) }
        }
        guard home >= 0, target >= 0 else {
            throw OrchestratorError(.failed, "cannot open network namespace \(name): \(String(cString: strerror(errno)))")
        }
        guard testbed_enter_network_namespace(target) == 0 else {
            throw OrchestratorError(.failed, "cannot enter network namespace \(name): \(String(cString: strerror(errno)))")
        }
        defer {
            // Failing to come back would leave every later step in the wrong namespace.
            if testbed_enter_network_namespace(home) != 0 { fatalError("cannot return to our own network namespace") }
        }
        for (key, value) in values {
            let file = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
            let fd = open(file, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw OrchestratorError(.failed, "cannot set \(key) in \(name): \(String(cString: strerror(errno)))")
            }
            let bytes = Array((value + "\n").utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else {
                throw OrchestratorError(.failed, "cannot set \(key) in \(name): \(String(cString: strerror(errno)))")
            }
        }
    }
}
