import CSystemd

/// Tells systemd how the daemon is doing (`sd_notify`). Does nothing when the
/// daemon was not started by systemd (no `NOTIFY_SOCKET`).
public struct SystemdNotifier: Sendable {
    public init() {}

    /// The daemon accepts connections.
    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// A one-line status for `systemctl status`.
    public func status(_ text: String) { send("STATUS=\(text)") }

    /// The daemon began to shut down.
    public func stopping() { send("STOPPING=1\nSTATUS=Stopping") }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }
}
