import TestbedProtocol

/// The daemon-wide numbers `testbedctl top` shows: who it is, its
/// connections, the requests it answers per second and its memory. Read with
/// one `server.status` and one `server.metrics` at each refresh.
struct DaemonFigures: Sendable, Hashable {
    var version: String
    var pid: Int32
    var uptimeSeconds: Double
    var connections: Int
    var mode: String
    var mainReachable: Bool?
    /// Resident memory, from `process_resident_memory_bytes`.
    var memoryBytes: Double?
    /// Requests answered per second since the previous refresh (these
    /// refreshes' own two included); nil at the first.
    var requestsPerSecond: Double?
    /// The total of `testbed_requests_total`, which the next refresh's rate is counted from.
    var requestsTotal: Double?

    init(status: ServerStatus, metrics: String, previous: DaemonFigures?) {
        version = status.version
        pid = status.pid
        uptimeSeconds = status.uptimeSeconds
        connections = status.openConnections
        mode = status.mode
        mainReachable = status.mainReachable
        memoryBytes = MetricsText.sum(of: "process_resident_memory_bytes", in: metrics)
        requestsTotal = MetricsText.sum(of: "testbed_requests_total", in: metrics)
        // The daemon's uptime is its monotonic clock: the rate needs no clock of ours.
        if let previous, previous.pid == pid, let before = previous.requestsTotal, let now = requestsTotal,
            uptimeSeconds > previous.uptimeSeconds, now >= before
        {
            requestsPerSecond = (now - before) / (uptimeSeconds - previous.uptimeSeconds)
        }
    }
}
