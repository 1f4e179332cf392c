import Foundation

/// A cgroup (v2) holding a project's guest processes when systemd does not run
/// them: a process stays in it whatever it does, setsid, a user or network
/// namespace of its own included, so `down` finds every one.
public struct ControlGroup: Sendable {
    public let path: String

    /// The project's group under the host's cgroup2 mount, or nil if there is
    /// none we may write (then `down` finds guests by their namespace only).
    public init?(tag: String) {
        guard let mount = Self.mountPoint(), access(mount, W_OK) == 0 else { return nil }
        path = "\(mount)/testbed-netns/\(tag)"
    }

    private init(path: String) { self.path = path }

    /// A group inside this one (a guest's, or a setup script's).
    public func child(_ name: String) -> ControlGroup { ControlGroup(path: path + "/" + name) }

    /// Where cgroup2 is mounted, from /proc/self/mountinfo.
    static func mountPoint() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
        return nil
    }

    /// Creates the group and the groups above it that are missing. (The shared
    /// `testbed-netns` group is never removed, so another project's `down`
    /// cannot take it away from under this one.)
    public func create() throws(OrchestratorError) {
        var folders: [String] = []
        var folder = path
        while access(folder, F_OK) != 0, folder.contains("/testbed-netns") {
            folders.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in folders.reversed() where mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw OrchestratorError(.failed, "cannot create the cgroup \(folder): \(String(cString: strerror(errno)))")
        }
    }

    public var exists: Bool { access(path + "/cgroup.procs", F_OK) == 0 }

    /// A root `sh` that moves itself into the group, then executes `argv`: its
    /// children are born inside.
    public func entering(_ argv: [String]) -> [String] {
        [Tool.shell, "-c", #"echo $$ > "$0" || exit 1; exec "$@""#, path + "/cgroup.procs"] + argv
    }

    /// The groups inside this one.
    var children: [ControlGroup] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { access("\(path)/\($0)/cgroup.procs", F_OK) == 0 }.map(child)
    }

    /// The processes in this group and the groups inside it.
    public func pids() -> [pid_t] {
        let own = ((try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { pid_t($0) }
        return own + children.flatMap { $0.pids() }
    }

    /// Kills everything in the group and the groups inside it (`cgroup.kill`,
    /// or SIGKILL to each process until none is left), waits until they are
    /// empty, and removes them. Returns how many processes there were.
    @discardableResult
    public func killAndRemove() -> Int {
        guard exists else { return 0 }
        let count = pids().count
        let deadline = Date().addingTimeInterval(5)
        while !pids().isEmpty, Date() < deadline {
            let fd = open(path + "/cgroup.kill", O_WRONLY | O_CLOEXEC)  // Linux 5.14 and later
            if fd >= 0 {
                _ = write(fd, "1", 1)
                close(fd)
            } else {
                for pid in pids() { kill(pid, SIGKILL) }
            }
            usleep(10_000)
        }
        removeEmpty()
        return count
    }

    private func removeEmpty() {
        for child in children { child.removeEmpty() }
        rmdir(path)
    }
}
