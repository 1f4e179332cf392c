import NIOCore

/// The bounds on what clients can make the daemon hold: descriptors, buffered
/// output and time. Every one has a default that keeps a hostile local user
/// (the read-only socket is world-connectable) from starving anyone else;
/// docs/security.md gives each one's reason.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once, all listeners together. The daemon lowers it
    /// to its descriptor limit minus `reservedDescriptors` when that is less.
    public var maxConnections = 4096
    /// Connections one uid may hold on the Unix sockets, both counted; uid 0
    /// meets only `maxConnections`. Bridge peers have their own per-chassis cap.
    public var maxConnectionsPerUID = 64
    /// Connections on the read-only socket, all callers together.
    public var maxReadOnlyConnections = 256
    /// Answers and stream frames queued for one connection before the daemon
    /// stops reading its requests (resumed when the client has read them).
    public var connectionOutputBytes = 256 * 1024
    /// Output queued for all connections together before unprivileged ones
    /// stop being served (uid 0 and admins are counted, never held).
    public var outputBytes = 64 * 1_048_576
    /// Seconds within which a frame must be complete, counted from its first byte.
    public var frameTimeout: Double = 10
    /// Seconds after which a connection with nothing in flight, no stream, and
    /// no traffic is closed.
    public var idleTimeout: Double = 300
    /// Seconds a stopping daemon gives connections to flush their answers
    /// before it closes them.
    public var shutdownTimeout: Double = 5

    /// Descriptors kept for the daemon's own files: logs, the store,
    /// orchestrator pipes, listeners, the event loops.
    public static let reservedDescriptors = 256
    /// Connections kept, within `maxConnections`, for uid 0 and admins.
    public static let privilegedConnections = 32

    public init() {}

    /// The bounds of one connection under these limits.
    func connectionBounds(
        budget: OutputBudget, privileged: Bool, maxInFlight: Int = ConnectionHandler.defaultMaxInFlight
    ) -> ConnectionHandler.Bounds {
        ConnectionHandler.Bounds(
            maxInFlight: maxInFlight, outputBytes: connectionOutputBytes, budget: budget, privileged: privileged,
            frameTimeout: Self.timeAmount(frameTimeout))
    }

    /// A setting in seconds as an event loop's timer takes it.
    static func timeAmount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1e9))
    }

    /// `maxConnections`, lowered to fit under a descriptor limit of `descriptors`.
    public func effectiveMaxConnections(descriptorLimit descriptors: Int) -> Int {
        max(Self.privilegedConnections + 1, min(maxConnections, descriptors - Self.reservedDescriptors))
    }

    /// Checks what the types alone do not constrain.
    public func validate() throws(ConfigurationError) {
        guard maxConnections >= Self.privilegedConnections + 1 else {
            throw ConfigurationError("max_connections must be at least \(Self.privilegedConnections + 1) (\(Self.privilegedConnections) are kept for root and admins)")
        }
        guard maxConnectionsPerUID >= 1 else { throw ConfigurationError("max_connections_per_uid must be at least 1") }
        guard maxReadOnlyConnections >= 1 else { throw ConfigurationError("max_ro_connections must be at least 1") }
        guard connectionOutputBytes >= 4096 else {
            throw ConfigurationError("connection_output_bytes must be at least 4096")
        }
        guard outputBytes >= connectionOutputBytes else {
            throw ConfigurationError("output_bytes must be at least connection_output_bytes (\(connectionOutputBytes))")
        }
        for (name, value) in [("frame_timeout", frameTimeout), ("connection_idle_timeout", idleTimeout), ("shutdown_timeout", shutdownTimeout)] {
            guard value > 0, value <= 86400 else {
                throw ConfigurationError("\(name) must be a positive number of seconds, at most 86400")
            }
        }
    }
}
