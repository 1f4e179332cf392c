import Foundation
import TestbedNetns
#if canImport(Glibc)
import Glibc
#endif

/// A testbedd running the real testbed-netns, and what the netns tests look at:
/// the project's namespaces, the processes in them, the host's own network.
struct NetnsLab: Sendable {
    let sandbox: Sandbox
    let daemon: DaemonProcess

    /// A daemon whose orchestrator is the built testbed-netns; alice and bob may use it.
    static func start(extra: [String] = []) async throws -> NetnsLab {
        let sandbox = try Sandbox()
        chmod(sandbox.path, 0o755)
        let daemon = try await DaemonProcess.start(in: sandbox, extra: [
            "--orchestrator", Binaries.testbedNetns, "--cancel-grace", "10",
            "--socket-group", String(TestUser.testbedGroup), "--admin-group", String(TestUser.adminGroup),
        ] + extra)
        return NetnsLab(sandbox: sandbox, daemon: daemon)
    }

    /// A project folder holding `yaml`, owned by `owner` (root if nil).
    func project(_ name: String, _ yaml: String, owner: TestUser? = nil) throws -> String {
        let folder = try sandbox.project(name)
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: folder + "/kvm-compose.yaml"))
        if let owner {
            chown(folder, owner.uid, owner.uid)
            chown(folder + "/kvm-compose.yaml", owner.uid, owner.uid)
        }
        return folder
    }

    /// testbedctl as root, or as `user`.
    func ctl(_ arguments: [String], as user: TestUser? = nil, timeout: Duration = .seconds(120)) async throws -> ProcessRun {
        if let user { return try await user.ctl(arguments, socket: sandbox.socket) }
        return try await ProcessRun.run(Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket], timeout: timeout)
    }

    /// The names testbed-netns gives `deployment` in `folder` under this daemon.
    func identity(_ deployment: String, folder: String) -> ProjectIdentity {
        ProjectIdentity(stateFolder: sandbox.state, projectFolder: folder, deployment: deployment)
    }

    /// The namespaces on this host that carry the deployment's names.
    func namespaces(_ identity: ProjectIdentity) -> [String] {
        TestbedNetns.NetworkNamespace.all(withPrefix: identity.namespacePrefix).map(\.name)
    }

    /// Pids of the processes inside the deployment's namespaces.
    func processes(_ identity: ProjectIdentity) -> [pid_t] {
        let inodes = Set(namespaces(identity).compactMap { TestbedNetns.NetworkNamespace($0).inode })
        return NamespaceProcesses.pids(inNamespaces: inodes)
    }

    /// Runs `argv` inside a guest's namespace, as root.
    func inGuest(_ identity: ProjectIdentity, _ guest: String, _ argv: [String]) async throws -> ProcessRun {
        try await ProcessRun.run("/usr/bin/nsenter", ["--net=/run/netns/\(identity.guestNamespace(guest))", "--"] + argv)
    }

    /// `ping -c 1` from a guest; true if answered.
    func ping(_ identity: ProjectIdentity, from guest: String, _ address: String) async throws -> Bool {
        try await inGuest(identity, guest, [Self.ping, "-c", "1", "-W", "2", address]).status == 0
    }

    static let ping = ["/usr/bin/ping", "/bin/ping"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/ping"

    /// The host's own links, addresses and routes, in a form that compares: the
    /// brief forms (names, states, addresses), and routes without the time left
    /// on a learned one, which counts down by itself.
    static func hostNetwork() async throws -> String {
        var parts: [String] = []
        for argv in [["-br", "link", "show"], ["-br", "address", "show"], ["route", "show", "table", "all"], ["-6", "route", "show", "table", "all"]] {
            let run = try await ProcessRun.run("/usr/sbin/ip", argv)
            parts.append(run.stdout.replacingOccurrences(of: #" expires \S+"#, with: "", options: .regularExpression))
        }
        return parts.joined(separator: "\n--\n")
    }

    /// A field of /proc/PID/status ("Uid", "CapEff", "NoNewPrivs").
    static func status(_ pid: pid_t, _ field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
