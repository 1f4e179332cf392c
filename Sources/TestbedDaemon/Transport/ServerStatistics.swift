import Foundation
import Synchronization

/// Counters `server.status` reports.
public final class ServerStatistics: Sendable {
    /// When the daemon started, on the monotonic clock.
    public let startedAt = ContinuousClock.now
    private let connections = Atomic<Int>(0)

    public init() {}

    /// Connections open right now.
    public var openConnections: Int { connections.load(ordering: .relaxed) }

    func connectionOpened() { connections.add(1, ordering: .relaxed) }
    func connectionClosed() { connections.subtract(1, ordering: .relaxed) }

    /// Seconds since start.
    public var uptimeSeconds: Double {
        let elapsed = ContinuousClock.now - startedAt
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
