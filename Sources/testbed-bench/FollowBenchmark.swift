import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Log following through a real testbedd: the throughput of a large log into
/// a client that parses every frame, in both stream formats, against what one
/// Unix socket carries (C, same run); and the delay from the orchestrator's
/// write to a follower's receipt.
enum FollowBenchmark {
    static func run(_ baselines: Baselines, binFolder: String, work: String, mebibytes: Int, latencyLines: Int) async throws -> [Measurement] {
        let project = try BenchmarkWorkload.project(in: work)
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
        try writeFloodLog(project + "/flood.log", bytes: mebibytes * 1_048_576)
        defer { unlink(project + "/flood.log") }

        let daemon = try await DaemonUnderTest(binFolder: binFolder, work: work, name: "follow", extra: ["--orchestrator", orchestrator])
        defer { daemon.stop() }
        let client = try await daemon.connect()
        let _: Deployment = try await client.call(RPCMethod.deploymentCreate, params: CreateParams(name: "follow", projectLocation: project))

        // Throughput: the action copies the log; once it has finished,
        // followers read the whole log three times in each format (the median counts).
        try Data("flood\n".utf8).write(to: URL(fileURLWithPath: project + "/mode"))
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "follow"))
        while true {
            let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
            if record.isFinished { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        var samples: [StreamFormat: [Double]] = [:]
        for format in [StreamFormat.data, .lines, .data, .lines, .data, .lines] {
            let reader = try await daemon.connect()
            let _: HelloResult = try await reader.call(RPCMethod.hello, params: HelloParams(streamFormats: [format]))
            let start = ContinuousClock.now
            let (bytes, _) = try await follow(reader, action: started.actionID)
            guard bytes >= mebibytes * 1_048_576 else { throw BenchError("followed \(bytes) bytes of \(mebibytes) MiB") }
            samples[format, default: []].append(Double(bytes) / Run.seconds(ContinuousClock.now - start) / 1e6)
            await reader.close()
        }
        let rates = samples.mapValues { $0.sorted()[$0.count / 2] }
        // The same, each line stamped with when testbedd saw it written (`logs -t`), counted in log bytes.
        var stamped: [Double] = []
        for _ in 0..<3 {
            let reader = try await daemon.connect()
            let _: HelloResult = try await reader.call(RPCMethod.hello, params: HelloParams(streamFormats: [.data]))
            let start = ContinuousClock.now
            let (bytes, lines) = try await follow(reader, action: started.actionID, timestamps: true)
            let logBytes = bytes - lines * 25
            guard logBytes >= mebibytes * 1_048_576 else { throw BenchError("followed \(logBytes) log bytes of \(mebibytes) MiB with timestamps") }
            stamped.append(Double(logBytes) / Run.seconds(ContinuousClock.now - start) / 1e6)
            await reader.close()
        }
        let stampedRate = stamped.sorted()[1]
        let socket = try JSONDecoder().decode(
            [String: Double].self, from: Data(try Run.checked([baselines.socketThroughput, String(mebibytes)]).utf8))
        let ceiling = (socket["bytes_per_second"] ?? 0) / 1e6

        // Latency from the orchestrator's write to the follower's receipt.
        try Data("ticks \(latencyLines)\n".utf8).write(to: URL(fileURLWithPath: project + "/mode"))
        var delays: [Double] = []
        for try await event in try client.start(RPCMethod.deploymentDown, params: ActionNameParams(name: "follow", follow: true)).events {
            guard case .chunk(let chunk) = event else { continue }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let received = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
            for line in chunk.lines { if let written = Double(line) { delays.append((received - written) * 1000) } }
        }
        await client.close()
        delays.sort()
        let peak = daemon.kibibytes("VmHWM")
        return [
            Measurement(name: "following a \(mebibytes) MiB log, `data` format, parsed by the client", value: rates[.data]!, unit: "MB/s",
                        baseline: "one Unix socket (C)", baselineValue: ceiling, ratio: rates[.data]! / ceiling,
                        target: "≥ 500 MB/s", met: rates[.data]! >= 500),
            .info("following a \(mebibytes) MiB log, `lines` format (clients of protocol 1 that do not ask)", rates[.lines]!, "MB/s",
                  baseline: "one Unix socket (C)", ceiling),
            .info("following a \(mebibytes) MiB log with timestamps (`logs -t`), `data` format, in log bytes", stampedRate, "MB/s",
                  baseline: "the same follow without timestamps", rates[.data]!),
            .info("testbedd peak RSS while following", Double(peak) / 1024, "MiB"),
            .absolute("write-to-follower latency, p99 of \(delays.count) lines", delays[min(delays.count - 1, delays.count * 99 / 100)],
                      "ms", limit: 5),
        ]
    }

    /// Follows `action`'s log to its end; returns the bytes and lines received, counted from the chunks.
    static func follow(_ client: RPCConnection, action: String, timestamps: Bool = false) async throws -> (bytes: Int, lines: Int) {
        var lines = 0, bytes = 0
        let params = ActionLogsParams(id: action, follow: true, timestamps: timestamps ? true : nil)
        for try await event in try client.start(RPCMethod.actionLogs, params: params).events {
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
            case .event:
                break
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
}
