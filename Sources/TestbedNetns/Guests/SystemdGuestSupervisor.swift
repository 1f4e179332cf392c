import Foundation

/// Under systemd: a transient unit per guest (`systemd-run`), joined to the
/// guest's namespace by `NetworkNamespacePath=`, as the owner, with no
/// capabilities and `NoNewPrivileges=`; its output goes to the journal as well
/// as the console log.
public struct SystemdGuestSupervisor: GuestSupervisor {
    public init() {}

    public func start(_ launch: GuestLaunch) throws(OrchestratorError) -> GuestRecord {
        let owner = launch.owner
        var arguments = [
            "--unit=\(launch.unit)", "--quiet", "--collect", "--service-type=exec",
            "--description=testbed guest \(launch.guest)",
            "--property=NetworkNamespacePath=\(NetworkNamespace(launch.namespace).path)",
            "--property=User=\(owner.userName ?? String(owner.uid))", "--property=Group=\(owner.gid)",
            "--property=NoNewPrivileges=yes", "--property=CapabilityBoundingSet=", "--property=AmbientCapabilities=",
            "--property=TimeoutStopSec=5", "--property=WorkingDirectory=/",
        ]
        for (key, value) in launch.environment.sorted(by: { $0.key < $1.key }) {
            arguments.append("--setenv=\(key)=\(value)")
        }
        // systemd expands $VAR and ${VAR} in a unit's command line itself; $$ is a plain $.
        arguments += ["--", Tool.shell, "-c", launch.script.replacingOccurrences(of: "$", with: "$$"), "sh"]
        try Command(try Tool.path("systemd-run"), arguments).check("starting \(launch.guest)'s unit \(launch.unit)", quiet: true)
        return GuestRecord(name: launch.guest, namespace: launch.namespace, unit: launch.unit, pids: [])
    }

    public func stop(units: [String]) {
        guard !units.isEmpty, let systemctl = try? Tool.path("systemctl") else { return }
        _ = try? Command(systemctl, ["stop", "--"] + units).run(quiet: true)
        _ = try? Command(systemctl, ["reset-failed", "--"] + units).run(quiet: true)
    }

    /// Under systemd a guest is its unit, and a setup script stays in the
    /// action's unit, whose end stops what it left.
    public func tracking(_ argv: [String], scope: String) throws(OrchestratorError) -> [String] { argv }

    public func stopTracked(scope: String?) -> Int { 0 }

    public func units(withPrefix prefix: String) -> [String] {
        guard let systemctl = try? Tool.path("systemctl"),
              let result = try? Command(systemctl, ["list-units", "--all", "--plain", "--no-legend", "--full", "\(prefix)*"]).run(capture: true)
        else { return [] }
        return String(decoding: result.output, as: UTF8.self).split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix) }
    }
}
