import Foundation

/// The processes whose network namespace is one of a set, found by the
/// namespace's inode in /proc/PID/ns/net: a recorded pid may since belong to
/// anyone, but a process inside one of the project's namespaces is the project's.
public enum NamespaceProcesses {
    /// The pids in any of the namespaces with these inodes.
    public static func pids(inNamespaces inodes: Set<UInt64>) -> [pid_t] {
        byNamespace(inodes).values.flatMap { $0 }
    }

    /// The pids in each of the namespaces with these inodes, from one pass over /proc.
    public static func byNamespace(_ inodes: Set<UInt64>) -> [UInt64: [pid_t]] {
        guard !inodes.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        var found: [UInt64: [pid_t]] = [:]
        for entry in entries {
            guard let pid = pid_t(entry), pid != getpid() else { continue }
            var info = stat()
            if stat("/proc/\(pid)/ns/net", &info) == 0, inodes.contains(UInt64(info.st_ino)) {
                found[UInt64(info.st_ino), default: []].append(pid)
            }
        }
        return found
    }

    /// Stops every process in these namespaces: SIGTERM, then SIGKILL to those
    /// still there after `grace` seconds. Returns how many there were.
    @discardableResult
    public static func stop(inNamespaces inodes: Set<UInt64>, grace: Double) -> Int {
        let first = pids(inNamespaces: inodes)
        guard !first.isEmpty else { return 0 }
        for pid in first { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        var left = first
        while !left.isEmpty, Date() < deadline {
            usleep(20_000)
            left = pids(inNamespaces: inodes)
        }
        // Again and again: a process may fork between one pass and the next.
        let killDeadline = Date().addingTimeInterval(5)
        while !left.isEmpty, Date() < killDeadline {
            for pid in left { kill(pid, SIGKILL) }
            usleep(10_000)
            left = pids(inNamespaces: inodes)
        }
        return first.count
    }
}
