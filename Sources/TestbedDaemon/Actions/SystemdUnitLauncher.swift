import CSystemd
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs each action as its own transient systemd service
/// (`testbed-action-<id>.service`, StartTransientUnit): its output goes straight
/// to the action's log file, it is not confined by the daemon's own sandbox,
/// cancelling it kills its whole cgroup, and it survives a restart of the daemon,
/// which re-attaches to it and records its true outcome.
public struct SystemdUnitLauncher: ActionLauncher {
    static let manager = "org.freedesktop.systemd1"
    static let managerPath = "/org/freedesktop/systemd1"
    static let managerInterface = "org.freedesktop.systemd1.Manager"

    public init() {
        _ = Self.daemonExecutable  // resolved at start-up, while the binary is the one running
    }

    /// True when testbedd itself runs as a systemd service.
    public static var applies: Bool {
        sd_booted() > 0 && ProcessInfo.processInfo.environment["INVOCATION_ID"] != nil
    }

    public var actionsSurviveTheDaemon: Bool { true }

    static func unitName(_ actionID: String) -> String { "testbed-action-\(actionID).service" }

    /// This very testbedd binary (at its path, even after an upgrade replaced the file).
    static let daemonExecutable: String = {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return path.hasSuffix(" (deleted)") ? String(path.dropLast(10)) : path
    }()

    public func launch(_ invocation: OrchestratorInvocation) throws -> any LaunchedProcess {
        guard let id = invocation.environment["TESTBED_ACTION_ID"] else { throw LaunchError("an action without an id") }
        let unit = Self.unitName(id)
        let bus: SystemBus
        do { bus = try SystemBus() } catch { throw LaunchError("\(error)") }
        // The unit starts testbedd's run-action, which checks the folder again on
        // the folder it then runs in, and executes the orchestrator there.
        // systemd expands $VAR in ExecStart= arguments; $$ is a literal $.
        let argv = ([Self.daemonExecutable, ActionEntryPoint.command, String(invocation.folderOwner),
                     invocation.workingDirectory, "--", invocation.executable] + invocation.arguments)
            .map { $0.replacingOccurrences(of: "$", with: "$$") }
        let environment = invocation.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var outputFD = invocation.outputFD
        var no: Int32 = 0
        var yes: Int32 = 1
        do {
            _ = try bus.call(
                Self.manager, Self.managerPath, Self.managerInterface, "StartTransientUnit",
                build: { m in
                    var r = SystemBus.appendString(m, unit)
                    if r >= 0 { r = SystemBus.appendString(m, "fail") }
                    if r >= 0 { r = sd_bus_message_open_container(m, SystemBus.code("a"), "(sv)") }
                    func property(_ name: String, _ type: String, _ body: () -> Int32) {
                        guard r >= 0 else { return }
                        r = sd_bus_message_open_container(m, SystemBus.code("r"), "sv")
                        if r >= 0 { r = SystemBus.appendString(m, name) }
                        if r >= 0 { r = sd_bus_message_open_container(m, SystemBus.code("v"), type) }
                        if r >= 0 { r = body() }
                        if r >= 0 { r = sd_bus_message_close_container(m) }
                        if r >= 0 { r = sd_bus_message_close_container(m) }
                    }
                    property("Description", "s") { SystemBus.appendString(m, "TestbedOS action \(id)") }
                    property("ExecStart", "a(sasb)") {
                        var r = sd_bus_message_open_container(m, SystemBus.code("a"), "(sasb)")
                        if r >= 0 { r = sd_bus_message_open_container(m, SystemBus.code("r"), "sasb") }
                        if r >= 0 { r = SystemBus.appendString(m, Self.daemonExecutable) }
                        if r >= 0 { r = sd_bus_message_open_container(m, SystemBus.code("a"), "s") }
                        for arg in argv where r >= 0 { r = SystemBus.appendString(m, arg) }
                        if r >= 0 { r = sd_bus_message_close_container(m) }
                        if r >= 0 { r = sd_bus_message_append_basic(m, SystemBus.code("b"), &no) }
                        if r >= 0 { r = sd_bus_message_close_container(m) }
                        if r >= 0 { r = sd_bus_message_close_container(m) }
                        return r
                    }
                    property("Environment", "as") {
                        var r = sd_bus_message_open_container(m, SystemBus.code("a"), "s")
                        for entry in environment where r >= 0 { r = SystemBus.appendString(m, entry) }
                        if r >= 0 { r = sd_bus_message_close_container(m) }
                        return r
                    }
                    property("StandardInput", "s") { SystemBus.appendString(m, "null") }
                    property("StandardOutputFileDescriptor", "h") { sd_bus_message_append_basic(m, SystemBus.code("h"), &outputFD) }
                    property("StandardErrorFileDescriptor", "h") { sd_bus_message_append_basic(m, SystemBus.code("h"), &outputFD) }
                    // Kept after it exits, so its exit status can be read; removed once read.
                    property("RemainAfterExit", "b") { sd_bus_message_append_basic(m, SystemBus.code("b"), &yes) }
                    if r >= 0 { r = sd_bus_message_close_container(m) }
                    if r >= 0 { r = sd_bus_message_open_container(m, SystemBus.code("a"), "(sa(sv))") }
                    if r >= 0 { r = sd_bus_message_close_container(m) }
                    return r
                },
                read: { _ in true })
        } catch {
            throw LaunchError("cannot start \(unit): \(error)")
        }
        return UnitProcess(unit: unit)
    }

    /// The action's unit if it still exists (a restarted daemon re-attaches to
    /// it). A bus that does not answer (early at boot) is not a unit that is gone.
    public func reattach(actionID: String) -> Reattachment {
        let unit = UnitProcess(unit: Self.unitName(actionID))
        guard let state = try? unit.state() else { return .unknown }
        return state.loaded ? .running(unit) : .gone
    }

    /// An action's transient unit.
    struct UnitProcess: LaunchedProcess {
        let unit: String

        var path: String {
            var encoded: UnsafeMutablePointer<CChar>?
            sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &encoded)
            defer { free(encoded) }
            return encoded.map { String(cString: $0) } ?? ""
        }

        var pid: Int32 {
            guard let bus = try? SystemBus() else { return 0 }
            let pid: UInt32 = (try? bus.trivialProperty(
                SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Service", "ExecMainPID", type: "u", initial: 0)) ?? 0
            return Int32(bitPattern: pid)
        }

        struct State {
            var loaded: Bool
            var active: String
            var sub: String
        }

        func state() throws -> State { try state(on: SystemBus()) }

        func state(on bus: SystemBus) throws -> State {
            let load = try bus.stringProperty(SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Unit", "LoadState")
            let active = try bus.stringProperty(SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Unit", "ActiveState")
            let sub = try bus.stringProperty(SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Unit", "SubState")
            return State(loaded: load == "loaded", active: active, sub: sub)
        }

        var signallingBlocks: Bool { true }

        func signalAll(_ signal: Int32) {
            guard let bus = try? SystemBus() else { return }
            _ = try? bus.call(
                SystemdUnitLauncher.manager, SystemdUnitLauncher.managerPath, SystemdUnitLauncher.managerInterface, "KillUnit",
                build: { m in
                    var r = SystemBus.appendString(m, unit)
                    if r >= 0 { r = SystemBus.appendString(m, "all") }
                    var value = signal
                    if r >= 0 { r = sd_bus_message_append_basic(m, SystemBus.code("i"), &value) }
                    return r
                },
                read: { _ in true })
        }

        func waitForExit() async -> ProcessTermination {
            await UnitWatcher.shared.waitForExit(of: self)
        }

        /// True once the unit's main process has been started.
        func mainStarted(on bus: SystemBus) -> Bool {
            let started: UInt64 = (try? bus.trivialProperty(
                SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Service",
                "ExecMainStartTimestampMonotonic", type: "t", initial: 0)) ?? 0
            return started != 0
        }

        /// How the main process ended.
        func termination(on bus: SystemBus) -> ProcessTermination {
            let code: Int32 = (try? bus.trivialProperty(
                SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Service", "ExecMainCode", type: "i", initial: 0)) ?? 0
            let status: Int32 = (try? bus.trivialProperty(
                SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Service", "ExecMainStatus", type: "i", initial: 0)) ?? 0
            // CLD_EXITED = 1; CLD_KILLED = 2, CLD_DUMPED = 3.
            return code == 1 ? .exited(status) : .signaled(status == 0 ? SIGKILL : status)
        }

        /// When the unit's main process ended (`ExecMainExitTimestamp`, µs since the epoch).
        func exitTime() -> Date? {
            guard let bus = try? SystemBus() else { return nil }
            let microseconds: UInt64 = (try? bus.trivialProperty(
                SystemdUnitLauncher.manager, path, "org.freedesktop.systemd1.Service", "ExecMainExitTimestamp",
                type: "t", initial: 0)) ?? 0
            return microseconds == 0 ? nil : Date(timeIntervalSince1970: Double(microseconds) / 1e6)
        }

        /// Removes the unit, once its outcome is recorded.
        func release() {
            guard let bus = try? SystemBus() else { return }
            for member in ["StopUnit", "ResetFailedUnit"] {
                _ = try? bus.call(
                    SystemdUnitLauncher.manager, SystemdUnitLauncher.managerPath, SystemdUnitLauncher.managerInterface, member,
                    build: { m in
                        var r = SystemBus.appendString(m, unit)
                        if member == "StopUnit", r >= 0 { r = SystemBus.appendString(m, "replace") }
                        return r
                    },
                    read: { _ in true })
            }
        }
    }
}
