import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// `testbed-bench`: measures log following through a real `testbedd` (found
/// beside this binary): throughput of a large log, and the delay from the
/// orchestrator's write to a follower's receipt; request round trips; and
/// what a cluster health check over the TLS bridge costs. A benchmark, not a test:
/// it reports numbers and asserts nothing. Build it in release mode:
///
///     swift build -c release && .build/release/testbed-bench [MiB] [latency-lines]
@main
struct FollowBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let mebibytes = arguments.count > 1 ? Int(arguments[1]) ?? 256 : 256
        let latencyLines = arguments.count > 2 ? Int(arguments[2]) ?? 500 : 500
        let binFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let work = "/tmp/tbbench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work + "/project", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data("machines: []\n".utf8).write(to: URL(fileURLWithPath: work + "/project/kvm-compose.yaml"))

        // A stand-in orchestrator: `flood` copies a log prepared here (100-byte
        // lines) to its output with cat, so the daemon, not a generator, is
        // measured; `ticks` writes one line every 2 ms holding the wall-clock
        // time of the write.
        let orchestrator = work + "/bench-orchestrator"
        try Data("""
            #!/usr/bin/env bash
            read -r mode n < "$TESTBED_PROJECT_DIR/mode"
            case "$mode" in
              flood) exec cat "$TESTBED_PROJECT_DIR/flood.log" ;;
              ticks) for ((i = 0; i < n; i++)); do printf '%s\\n' "$EPOCHREALTIME"; sleep 0.002; done ;;
            esac

            """.utf8).write(to: URL(fileURLWithPath: orchestrator))
        chmod(orchestrator, 0o755)
        try Self.writeFloodLog(work + "/project/flood.log", bytes: mebibytes * 1_048_576)

        let socket = work + "/d.sock"
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: binFolder + "/testbedd")
        daemon.arguments = ["--socket", socket, "--state-dir", work + "/state", "--orchestrator", orchestrator, "--log-level", "warning"]
        try daemon.run()
        defer { daemon.terminate(); daemon.waitUntilExit() }
        var client: RPCConnection?
        for _ in 0..<500 where client == nil {
            client = try? await RPCConnection.connect(unixSocketPath: socket)
            if client == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let client else { fatalError("testbedd did not start") }
        let _: Deployment = try await client.call(
            RPCMethod.deploymentCreate, params: CreateParams(name: "bench", projectLocation: work + "/project"))

        // Throughput: the action copies the log while a follower reads it,
        // then a second follower reads the whole finished log; in each format.
        try Data("flood\n".utf8).write(to: URL(fileURLWithPath: work + "/project/mode"))
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "bench"))
        for format in [StreamFormat.data, .lines] {
            let reader = try await RPCConnection.connect(unixSocketPath: socket)
            let _: HelloResult = try await reader.call(RPCMethod.hello, params: HelloParams(streamFormats: [format]))
            let start = ContinuousClock.now
            let (bytes, lines) = try await Self.follow(reader, action: started.actionID)
            let seconds = Self.seconds(ContinuousClock.now - start)
            print(String(format: "follow throughput (%@): %d MiB, %d lines in %.2f s = %.1f MiB/s, %.0f lines/s",
                         format.rawValue, bytes / 1_048_576, lines, seconds, Double(bytes) / 1_048_576 / seconds, Double(lines) / seconds))
            await reader.close()
        }
        print(String(format: "testbedd peak RSS %d MiB", Self.peakRSS(daemon.processIdentifier) / 1024))

        // Latency from the orchestrator's write to the follower's receipt.
        try Data("ticks \(latencyLines)\n".utf8).write(to: URL(fileURLWithPath: work + "/project/mode"))
        var delays: [Double] = []
        for try await event in try client.start(RPCMethod.deploymentDown, params: ActionNameParams(name: "bench", follow: true)).events {
            guard case .chunk(let chunk) = event else { continue }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let received = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
            for line in chunk.lines { if let written = Double(line) { delays.append((received - written) * 1000) } }
        }
        delays.sort()
        func percentile(_ p: Double) -> Double { delays[min(delays.count - 1, Int(Double(delays.count) * p))] }
        print(String(format: "write-to-follower latency over %d lines: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms",
                     delays.count, percentile(0.5), percentile(0.9), percentile(0.99), delays.last ?? 0))
        await client.close()

        // Request latency, against the floor of a raw echo over a socket pair in the same run.
        let rounds = 20_000
        let ping = RequestLatency.frame(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#)
        let get = RequestLatency.frame(#"{"jsonrpc":"2.0","id":2,"method":"deployment.get","params":{"name":"bench"}}"#)
        let fd = RequestLatency.connect(socket)
        _ = RequestLatency.measure(socketFD: fd, frame: ping, count: 2_000)  // warm up
        let pings = RequestLatency.measure(socketFD: fd, frame: ping, count: rounds)
        let gets = RequestLatency.measure(socketFD: fd, frame: get, count: rounds)
        close(fd)
        let echo = RequestLatency.echoPair(replyBytes: 40)
        _ = RequestLatency.measure(socketFD: echo, frame: ping, count: 2_000)
        let raw = RequestLatency.measure(socketFD: echo, frame: ping, count: rounds)
        print(RequestLatency.summary("raw socket echo", raw))
        print(RequestLatency.summary("rpc.ping      ", pings))
        print(RequestLatency.summary("deployment.get", gets))
        let floor = raw[raw.count / 2]
        print(String(format: "ratio to the raw round trip (p50): rpc.ping %.2fx, deployment.get %.2fx",
                     pings[pings.count / 2] / floor, gets[gets.count / 2] / floor))

        try await BridgeBenchmark.run(binFolder: binFolder, work: work, checks: 500, calls: 5_000)
    }

    /// Follows `action`'s log to its end; returns the bytes and lines received, counted from the chunks.
    static func follow(_ client: RPCConnection, action: String) async throws -> (bytes: Int, lines: Int) {
        var lines = 0, bytes = 0
        for try await event in try client.start(RPCMethod.actionLogs, params: ActionLogsParams(id: action, follow: true)).events {
            guard case .chunk(let chunk) = event else { continue }
            switch chunk.content {
            case .data(let text):
                bytes += text.count
                lines += text.withUnsafeBytes { raw in
                    var count = 0, offset = 0
                    while offset < raw.count, let hit = memchr(raw.baseAddress! + offset, 0x0A, raw.count - offset) {
                        count += 1
                        offset = raw.baseAddress!.distance(to: UnsafeRawPointer(hit)) + 1
                    }
                    return count
                }
            case .lines(let text):
                lines += text.count
                for line in text { bytes += line.utf8.count + 1 }
            }
        }
        return (bytes, lines)
    }

    /// `bytes` of numbered 100-byte lines ("0000000042 000…0\n").
    static func writeFloodLog(_ path: String, bytes: Int) throws {
        let lineBytes = 100
        var text = [UInt8](repeating: UInt8(ascii: "0"), count: (bytes + lineBytes - 1) / lineBytes * lineBytes)
        for line in 0..<text.count / lineBytes {
            let start = line * lineBytes
            var n = line
            for digit in stride(from: 9, through: 0, by: -1) {
                text[start + digit] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            }
            text[start + 10] = UInt8(ascii: " ")
            text[start + lineBytes - 1] = 0x0A
        }
        try Data(text).write(to: URL(fileURLWithPath: path))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// VmHWM of `pid`, in KiB.
    static func peakRSS(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
}
