import Foundation

/// Starts and stops guests' commands. Under systemd each is a transient unit;
/// otherwise a session of its own. Either way it runs inside the guest's
/// namespace as the project's owner, outside the action's process group and
/// cgroup, so the action's cancellation and cleanup never reach it.
public protocol GuestSupervisor: Sendable {
    /// Starts `launch` and returns what to record about it.
    func start(_ launch: GuestLaunch) throws(OrchestratorError) -> GuestRecord
    /// Stops these units (no-op without systemd); errors are ignored, `down`
    /// then stops whatever is left in the namespaces.
    func stop(units: [String])
    /// Units of this project that exist, recorded or not.
    func units(withPrefix prefix: String) -> [String]
    /// `argv` made to run where this supervisor keeps the project's processes,
    /// in the part named `scope` (`guest-NAME`, `setup-NAME`), so that whatever
    /// it starts can be stopped with it, whichever session or namespace it moves to.
    func tracking(_ argv: [String], scope: String) throws(OrchestratorError) -> [String]
    /// Stops every process kept in `scope`, or in every scope if nil; returns how many there were.
    func stopTracked(scope: String?) -> Int
}

extension GuestSupervisor {
    /// Stops a guest's command: its unit under systemd, whatever it started otherwise.
    func stopGuest(_ guest: String, unit: String) {
        stop(units: [unit])
        _ = stopTracked(scope: "guest-" + guest)
    }
}

/// One guest command to start.
public struct GuestLaunch: Sendable {
    public var guest: String
    public var namespace: String
    public var unit: String
    public var owner: ProjectOwner
    public var environment: [String: String]
    /// The /bin/sh script that runs the command and copies its output to the console log.
    public var script: String
}

/// Picks the supervisor for this host: systemd when it is PID 1 (as sd_booted checks).
public enum GuestSupervisors {
    public static func forThisHost(_ identity: ProjectIdentity) -> any GuestSupervisor {
        if access("/run/systemd/system", F_OK) == 0, (try? Tool.path("systemd-run")) != nil {
            return SystemdGuestSupervisor()
        }
        return SessionGuestSupervisor(cgroup: ControlGroup(tag: identity.cgroupName))
    }
}
