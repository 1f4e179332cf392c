import ArgumentParser
import TestbedProtocol

/// `testbedctl metrics`: the daemon's metrics in the Prometheus text format.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print testbedd's metrics in the Prometheus text format.",
        discussion: "Requests by method and outcome with their latency, actions by command and outcome with their duration, "
            + "log bytes streamed and followers, store write latency, connections, deployments by state, event watchers "
            + "and cluster members by health, and its resident memory. testbedd can also write them to a file (metrics_file).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let metrics = try await session.call(RPCMethod.serverMetrics)
            global.output.emit(metrics) { metrics.text }
        }
    }
}
