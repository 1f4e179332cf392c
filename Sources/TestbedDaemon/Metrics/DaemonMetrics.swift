import CoreMetrics
import Foundation
import NIOCore
import Prometheus
import TestbedProtocol

/// The daemon's metrics, through swift-metrics, kept in a Prometheus registry
/// of its own (so that several daemons in one process, as in the tests, never
/// share one): requests by method and outcome with their latency, actions by
/// command and outcome with their duration, log bytes streamed and followers,
/// store writes; connections, deployments by state, event watchers, cluster
/// health and the process's resident memory are read when the metrics are
/// rendered. `testbedd` also bootstraps the global `MetricsSystem` with this
/// factory, for libraries that report through it.
public final class DaemonMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    private let methods: [String: MethodMetrics]
    private let unknownMethod: MethodMetrics
    let logBytes: CoreMetrics.Counter
    let followers: CoreMetrics.Meter
    let storeWrites: CoreMetrics.Timer
    private let actions = Locked([String: CoreMetrics.Counter]())
    private let actionDurations = Locked([String: CoreMetrics.Timer]())
    private let scraped: ScrapedGauges

    /// Requests of one method: answers by outcome, and how long they took.
    private final class MethodMetrics: Sendable {
        let name: String
        let ok: CoreMetrics.Counter
        let stream: CoreMetrics.Counter
        let errors = Locked([Int: CoreMetrics.Counter]())
        let latency: CoreMetrics.Timer
        let factory: PrometheusMetricsFactory

        init(_ name: String, factory: PrometheusMetricsFactory) {
            self.name = name
            self.factory = factory
            ok = CoreMetrics.Counter(label: "testbed_requests_total", dimensions: [("method", name), ("outcome", "ok")], factory: factory)
            stream = CoreMetrics.Counter(label: "testbed_requests_total", dimensions: [("method", name), ("outcome", "stream")], factory: factory)
            latency = CoreMetrics.Timer(label: "testbed_request_duration_seconds", dimensions: [("method", name)], factory: factory)
        }

        func error(_ code: Int) -> CoreMetrics.Counter {
            errors.withLock { errors in
                if let counter = errors[code] { return counter }
                let counter = CoreMetrics.Counter(
                    label: "testbed_requests_total", dimensions: [("method", name), ("outcome", String(code))], factory: factory)
                errors[code] = counter
                return counter
            }
        }
    }

    /// Gauges set from the daemon's state each time the metrics are rendered.
    private struct ScrapedGauges: Sendable {
        let connections: CoreMetrics.Gauge
        let watchers: CoreMetrics.Gauge
        let deployments: [String: CoreMetrics.Gauge]
        let members: [String: CoreMetrics.Gauge]
        let residentMemory: CoreMetrics.Gauge
    }

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.durationHistogramBuckets["testbed_action_duration_seconds"] = [
            .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
            .seconds(1800), .seconds(3600),
        ]
        self.registry = registry
        self.factory = factory
        var methods: [String: MethodMetrics] = [:]
        for method in RPCMethod.all { methods[method.name] = MethodMetrics(method.name, factory: factory) }
        self.methods = methods
        unknownMethod = MethodMetrics("unknown", factory: factory)
        logBytes = CoreMetrics.Counter(label: "testbed_log_bytes_streamed_total", factory: factory)
        followers = CoreMetrics.Meter(label: "testbed_log_followers", factory: factory)
        storeWrites = CoreMetrics.Timer(label: "testbed_store_write_seconds", factory: factory)
        scraped = ScrapedGauges(
            connections: CoreMetrics.Gauge(label: "testbed_connections", factory: factory),
            watchers: CoreMetrics.Gauge(label: "testbed_event_watchers", factory: factory),
            deployments: Dictionary(uniqueKeysWithValues: ["up", "down", "running", "failed"].map {
                ($0, CoreMetrics.Gauge(label: "testbed_deployments", dimensions: [("state", $0)], factory: factory))
            }),
            members: Dictionary(uniqueKeysWithValues: ["healthy", "unhealthy"].map {
                ($0, CoreMetrics.Gauge(label: "testbed_cluster_members", dimensions: [("health", $0)], factory: factory))
            }),
            residentMemory: CoreMetrics.Gauge(label: "process_resident_memory_bytes", factory: factory))
    }

    /// A request was answered (`code` nil for a result), `elapsed` after it was read.
    func answered(_ method: String, code: Int?, elapsed: TimeAmount) {
        let metrics = methods[method] ?? unknownMethod
        if let code { metrics.error(code).increment() } else { metrics.ok.increment() }
        metrics.latency.recordNanoseconds(elapsed.nanoseconds)
    }

    /// A request began a stream.
    func streamed(_ method: String) {
        (methods[method] ?? unknownMethod).stream.increment()
    }

    /// Counts an action's end by command and outcome, with its duration.
    func observe(_ event: DaemonEvent) {
        guard event.kind == .actionEnded, let command = event.command?.word, let outcome = event.outcome else { return }
        let result = Self.describe(outcome)
        let key = command + "\u{0}" + result
        let counter = actions.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "testbed_actions_total", dimensions: [("command", command), ("outcome", result)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
        if let seconds = event.durationSeconds {
            let timer = actionDurations.withLock { timers in
                if let timer = timers[command] { return timer }
                let timer = CoreMetrics.Timer(label: "testbed_action_duration_seconds", dimensions: [("command", command)], factory: factory)
                timers[command] = timer
                return timer
            }
            timer.recordNanoseconds(Int64(min(max(seconds, 0), 1e9) * 1e9))
        }
    }

    static func describe(_ outcome: ActionOutcome) -> String {
        if outcome.cancelledBy != nil { return "cancelled" }
        if outcome.signal != nil { return "killed" }
        if outcome.errorCode == 0 { return "succeeded" }
        return "failed"
    }

    /// The metrics in the Prometheus text exposition format, after reading the
    /// gauges that come from the daemon's state.
    func render(connections: Int, deployments: [Deployment], watchers: Int, members: (healthy: Int, unhealthy: Int)) -> String {
        scraped.connections.record(connections)
        scraped.watchers.record(watchers)
        var states = ["up": 0, "down": 0, "running": 0, "failed": 0]
        for deployment in deployments {
            switch deployment.state {
            case .up: states["up", default: 0] += 1
            case .down: states["down", default: 0] += 1
            case .running: states["running", default: 0] += 1
            case .failed: states["failed", default: 0] += 1
            }
        }
        for (state, count) in states { scraped.deployments[state]?.record(count) }
        scraped.members["healthy"]?.record(members.healthy)
        scraped.members["unhealthy"]?.record(members.unhealthy)
        if let resident = Self.residentBytes() { scraped.residentMemory.record(resident) }
        return registry.emitToString()
    }

    /// The process's resident memory: the second number of /proc/self/statm,
    /// in pages. One short read of a file the kernel writes on demand.
    static func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }
}
