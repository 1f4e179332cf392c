import Foundation

/// The programs testbed-netns runs, found once on the standard system folders
/// (not on an inherited PATH: the orchestrator runs as root).
public enum Tool {
    static let folders = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// The absolute path of `name`, or an error that says which package provides it.
    public static func path(_ name: String) throws(OrchestratorError) -> String {
        for folder in folders where access("\(folder)/\(name)", X_OK) == 0 {
            return "\(folder)/\(name)"
        }
        let package = ["ip": "iproute2", "nsenter": "util-linux", "setpriv": "util-linux", "setsid": "util-linux",
                       "systemd-run": "systemd", "systemctl": "systemd", "tar": "tar"][name] ?? name
        throw OrchestratorError(.failed, "\(name) is not installed; testbed-netns needs it (Debian package \(package))")
    }

    public static var shell: String { "/bin/sh" }
}
