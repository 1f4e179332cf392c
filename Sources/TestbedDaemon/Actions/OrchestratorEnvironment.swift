import Foundation

/// What the orchestrator's environment holds: the daemon's, minus its own
/// service variables, plus the contract's `TESTBED_*` variables.
enum OrchestratorEnvironment {
    /// The orchestrator's environment (docs/orchestrator.md, "Invocation").
    static func make(
        id: String, deployment: String, project: String, owner: UInt32, stateDirectory: String
    ) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // The daemon's own service variables belong to it, not to the orchestrator (or its unit).
        for key in [
            "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "TESTBED_SOCKET",
            "INVOCATION_ID", "JOURNAL_STREAM", "SYSTEMD_EXEC_PID", "RUNTIME_DIRECTORY", "STATE_DIRECTORY",
            "CREDENTIALS_DIRECTORY", "MAINPID", "MANAGERPID",
        ] {
            environment.removeValue(forKey: key)
        }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        environment["TESTBED_ACTION_ID"] = id
        environment["TESTBED_DEPLOYMENT"] = deployment
        environment["TESTBED_PROJECT_DIR"] = project
        // Whose project it is: an orchestrator running as root acts for this user.
        environment["TESTBED_OWNER_UID"] = String(owner)
        // Where the orchestrator may keep root-only state of its own.
        environment["TESTBED_STATE_DIR"] = stateDirectory
        return environment
    }
}
