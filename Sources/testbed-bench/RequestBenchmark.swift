import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Round trips and requests per second, through `framed-load` (plain C, the
/// same client for both), against testbedd and against `framed-echo`, a C
/// epoll server of the same framing that answers with as many bytes.
enum RequestBenchmark {
    struct Load: Decodable {
        let perSecond: Double
        let p50Us: Double
        let p99Us: Double
        enum CodingKeys: String, CodingKey {
            case perSecond = "per_second", p50Us = "p50_us", p99Us = "p99_us"
        }
    }

    static func load(_ baselines: Baselines, socket: String, connections: Int, inFlight: Int, seconds: Double,
                     method: String, params: String? = nil) throws -> Load {
        let output = try Run.checked([baselines.load, socket, String(connections), String(inFlight), String(seconds), "0.5", method]
                                     + (params.map { [$0] } ?? []))
        return try JSONDecoder().decode(Load.self, from: Data(output.utf8))
    }

    /// Starts `framed-echo` answering `replyBytes` per frame; returns its socket and process.
    static func echo(_ baselines: Baselines, work: String, replyBytes: Int) throws -> (String, Process) {
        let socket = work + "/echo-\(replyBytes).sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: baselines.echo)
        process.arguments = [socket, String(replyBytes)]
        let ready = Pipe()
        process.standardOutput = ready
        try process.run()
        _ = ready.fileHandleForReading.availableData  // "ready"
        return (socket, process)
    }

    static func run(_ baselines: Baselines, daemon: DaemonUnderTest, work: String, seconds: Double) async throws -> [Measurement] {
        // The answers' sizes, so that the echo writes as many bytes.
        let pingReply = #"{"id":1,"jsonrpc":"2.0","result":{}}"#.utf8.count
        let client = try await daemon.connect()
        let getReply = try await BenchmarkWorkload.deploymentReplyBytes(client)
        await client.close()

        let (pingEcho, pingEchoProcess) = try echo(baselines, work: work, replyBytes: pingReply)
        let (getEcho, getEchoProcess) = try echo(baselines, work: work, replyBytes: getReply)
        defer {
            // SIGKILL: a child of Foundation's Process may have SIGTERM blocked.
            kill(pingEchoProcess.processIdentifier, SIGKILL)
            kill(getEchoProcess.processIdentifier, SIGKILL)
        }
        let get = #"{"name":"bench"}"#
        let rawPing = try load(baselines, socket: pingEcho, connections: 1, inFlight: 1, seconds: seconds, method: "rpc.ping")
        let ping = try load(baselines, socket: daemon.socket, connections: 1, inFlight: 1, seconds: seconds, method: "rpc.ping")
        let rawGet = try load(baselines, socket: getEcho, connections: 1, inFlight: 1, seconds: seconds, method: "deployment.get", params: get)
        let deploymentGet = try load(baselines, socket: daemon.socket, connections: 1, inFlight: 1, seconds: seconds,
                                     method: "deployment.get", params: get)
        let echo16 = try load(baselines, socket: pingEcho, connections: 16, inFlight: 1, seconds: seconds, method: "rpc.ping")
        let daemon16 = try load(baselines, socket: daemon.socket, connections: 16, inFlight: 1, seconds: seconds, method: "rpc.ping")
        let echo16x8 = try load(baselines, socket: pingEcho, connections: 16, inFlight: 8, seconds: seconds, method: "rpc.ping")
        let daemon16x8 = try load(baselines, socket: daemon.socket, connections: 16, inFlight: 8, seconds: seconds, method: "rpc.ping")
        // Where the framework's floor is: the same loads against a bare SwiftNIO server.
        let nioSocket = work + "/nio-echo.sock"
        let nio = try await NIOEcho(socket: nioSocket, replyBytes: pingReply)
        let nioPing = try load(baselines, socket: nioSocket, connections: 1, inFlight: 1, seconds: seconds, method: "rpc.ping")
        let nio16 = try load(baselines, socket: nioSocket, connections: 16, inFlight: 1, seconds: seconds, method: "rpc.ping")
        let nio16x8 = try load(baselines, socket: nioSocket, connections: 16, inFlight: 8, seconds: seconds, method: "rpc.ping")
        await nio.stop()
        return [
            .atMost("`rpc.ping` p50, 1 connection", ping.p50Us, "µs", baseline: "C ping-pong", rawPing.p50Us, maxRatio: 1.3),
            .atMost("`deployment.get` p50, 1 connection", deploymentGet.p50Us, "µs", baseline: "C ping-pong", rawGet.p50Us, maxRatio: 1.4),
            .atLeast("requests/s, 16 connections × 1 in flight", daemon16.perSecond, "req/s", baseline: "C epoll echo",
                     echo16.perSecond, minRatio: 0.7),
            .atLeast("requests/s, 16 connections × 8 in flight", daemon16x8.perSecond, "req/s", baseline: "C epoll echo",
                     echo16x8.perSecond, minRatio: 0.4),
            .info("bare SwiftNIO echo (same framing, no JSON): p50, 1 connection", nioPing.p50Us, "µs", baseline: "C ping-pong", rawPing.p50Us),
            .info("bare SwiftNIO echo: requests/s, 16 × 1", nio16.perSecond, "req/s", baseline: "C epoll echo", echo16.perSecond),
            .info("bare SwiftNIO echo: requests/s, 16 × 8", nio16x8.perSecond, "req/s", baseline: "C epoll echo", echo16x8.perSecond),
            .info("testbedd against the bare SwiftNIO echo, 16 × 1", daemon16.perSecond, "req/s", baseline: "SwiftNIO echo", nio16.perSecond),
        ]
    }
}
