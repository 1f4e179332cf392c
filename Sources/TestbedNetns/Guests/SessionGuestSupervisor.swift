import Foundation

/// Without systemd: `nsenter` into the guest's namespace, `setpriv` to the owner,
/// `setsid --fork` into a session of its own, outside the action's process group.
public struct SessionGuestSupervisor: GuestSupervisor {
    public init() {}

    public func start(_ launch: GuestLaunch) throws(OrchestratorError) -> GuestRecord {
        let namespace = NetworkNamespace(launch.namespace)
        let argv = ["--net=\(namespace.path)", "--"] + (try launch.owner.dropArguments())
            + [try Tool.path("setsid"), "--fork", Tool.shell, "-c", launch.script, "sh"]
        try Command(try Tool.path("nsenter"), argv, environment: launch.environment, folder: "/")
            .check("starting \(launch.guest)'s command", quiet: true)
        return GuestRecord(name: launch.guest, namespace: launch.namespace, unit: nil, pids: [])
    }

    public func stop(units: [String]) {}

    public func units(withPrefix prefix: String) -> [String] { [] }
}
