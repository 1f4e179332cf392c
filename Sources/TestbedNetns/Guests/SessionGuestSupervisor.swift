import Foundation

/// Without systemd: `nsenter` into the guest's namespace, `setpriv` to the owner,
/// `setsid --fork` into a session of its own, outside the action's process group,
/// and, where cgroup2 may be written, inside the project's cgroup.
public struct SessionGuestSupervisor: GuestSupervisor {
    public let cgroup: ControlGroup?

    public init(cgroup: ControlGroup?) { self.cgroup = cgroup }

    public func start(_ launch: GuestLaunch) throws(OrchestratorError) -> GuestRecord {
        let namespace = NetworkNamespace(launch.namespace)
        let argv = try tracking([try Tool.path("nsenter"), "--net=\(namespace.path)", "--"] + (try launch.owner.dropArguments())
            + [try Tool.path("setsid"), "--fork", Tool.shell, "-c", launch.script, "sh"], scope: "guest-" + launch.guest)
        try Command(argv[0], Array(argv.dropFirst()), environment: launch.environment, folder: "/")
            .check("starting \(launch.guest)'s command", quiet: true)
        return GuestRecord(name: launch.guest, namespace: launch.namespace, unit: nil, pids: [])
    }

    public func stop(units: [String]) {}

    public func units(withPrefix prefix: String) -> [String] { [] }

    public func tracking(_ argv: [String], scope: String) throws(OrchestratorError) -> [String] {
        guard let cgroup else { return argv }
        let part = cgroup.child(scope)
        try part.create()
        return part.entering(argv)
    }

    public func stopTracked(scope: String?) -> Int {
        guard let cgroup else { return 0 }
        return (scope.map { cgroup.child($0) } ?? cgroup).killAndRemove()
    }
}
