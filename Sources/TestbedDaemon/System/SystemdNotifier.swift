import CSystemd
import NIOCore

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

    /// When systemd set up a watchdog (`WATCHDOG_USEC`), pings it at half the
    /// interval from `loop`: if that event loop wedges, the pings stop and
    /// systemd restarts the daemon.
    @discardableResult
    public func startWatchdog(on loop: any EventLoop) -> RepeatedTask? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        let interval = TimeAmount.microseconds(Int64(usec / 2))
        return loop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { _ in
            self.send("WATCHDOG=1")
        }
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }
}
