import Foundation
import Testing
import TestbedProtocol

/// `server.metrics`, `testbedctl metrics` and the metrics file, read back by
/// the Prometheus reference client's parser (Tests/Fixtures/prometheus-parse).
@Suite struct MetricsTests {
    static let parser = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/prometheus-parse").path

    /// Each family's samples, as the parser read them: sample name and labels to value.
    struct Families {
        let json: [String: Any]

        func value(_ family: String, _ sample: String, _ labels: [String: String] = [:]) -> Double? {
            guard let entry = json[family] as? [String: Any], let samples = entry["samples"] as? [[Any]] else { return nil }
            for item in samples where item[0] as? String == sample && (item[1] as? [String: String]) == labels {
                return item[2] as? Double
            }
            return nil
        }

        func type(_ family: String) -> String? { (json[family] as? [String: Any])?["type"] as? String }
    }

    static func parse(_ text: String, in sandbox: Sandbox) async throws -> Families {
        let file = sandbox.path + "/scraped.prom"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let run = try await ProcessRun.run("/bin/sh", ["-c", "\(Self.parser) < \(file)"])
        guard run.status == 0 else { throw ProcessRunError("the Prometheus parser refused the text: \(run.stderr)\n\(text)") }
        return Families(json: try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])
    }

    @Test func requestsActionsAndLogsAreCountedAndTheTextParses() async throws {
        let sandbox = try Sandbox()
        let file = sandbox.path + "/metrics.prom"
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--metrics-file", file, "--metrics-interval", "0.2"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        for _ in 0..<3 { let _: EmptyResult = try await client.call(RPCMethod.ping) }
        await #expect(throws: RPCError.self) {
            let _: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "nope"))
        }
        await #expect(throws: RPCError.self) { let _: EmptyResult = try await client.call("no.such.method") }
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        let up = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(up.result.errorCode == 0)

        let run = try await ProcessRun.run(Binaries.testbedctl, ["metrics", "--socket", sandbox.socket])
        #expect(run.status == 0, "\(run.stderr)")
        let metrics = try await Self.parse(run.stdout, in: sandbox)
        #expect(metrics.type("testbed_requests") == "counter")
        #expect(metrics.value("testbed_requests", "testbed_requests_total", ["method": "rpc.ping", "outcome": "ok"]) == 3)
        #expect(metrics.value("testbed_requests", "testbed_requests_total", ["method": "deployment.get", "outcome": "-32001"]) == 1)
        #expect(metrics.value("testbed_requests", "testbed_requests_total", ["method": "unknown", "outcome": "-32601"]) == 1)
        #expect(metrics.value("testbed_requests", "testbed_requests_total", ["method": "deployment.up", "outcome": "stream"]) == 1)
        #expect(metrics.type("testbed_request_duration_seconds") == "histogram")
        #expect(metrics.value("testbed_request_duration_seconds", "testbed_request_duration_seconds_count", ["method": "rpc.ping"]) == 3)
        #expect(metrics.value("testbed_actions", "testbed_actions_total", ["command": "up", "outcome": "succeeded"]) == 1)
        #expect(metrics.value("testbed_action_duration_seconds", "testbed_action_duration_seconds_count", ["command": "up"]) == 1)
        let logged = try #require(metrics.value("testbed_log_bytes_streamed", "testbed_log_bytes_streamed_total"))
        #expect(logged == Double(up.text.count))
        #expect(metrics.value("testbed_log_followers", "testbed_log_followers") == 0)
        #expect(metrics.value("testbed_deployments", "testbed_deployments", ["state": "up"]) == 1)
        #expect(metrics.value("testbed_deployments", "testbed_deployments", ["state": "down"]) == 0)
        #expect((metrics.value("testbed_connections", "testbed_connections") ?? 0) >= 2)
        #expect((metrics.value("process_resident_memory_bytes", "process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((metrics.value("testbed_store_write_seconds", "testbed_store_write_seconds_count") ?? 0) >= 3)

        // The file, rewritten every 0.2 s, holds the same families.
        try await eventually("the metrics file counts the up") {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            let written = try await Self.parse(text, in: sandbox)
            return written.value("testbed_actions", "testbed_actions_total", ["command": "up", "outcome": "succeeded"]) == 1
        }
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o644)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
