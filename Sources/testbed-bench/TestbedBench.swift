import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// `testbed-bench`: measures every row of the README's benchmark table through
/// the release binaries found beside it, each against a baseline measured in
/// the same run (plain C programs of benchmarks/, a static Swift hello world),
/// because this machine's speed drifts by ±40% from run to run. A benchmark,
/// not a test: it reports numbers and whether each target is met, and exits 0.
///
///     swift build -c release --static-swift-stdlib
///     .build/release/testbed-bench [--json] [--quick] [--only requests,follow,lists,cli,memory,bridge]
@main
struct TestbedBench {
    static let sections = ["requests", "follow", "lists", "cli", "memory", "bridge"]

    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let json = arguments.contains("--json")
        let quick = arguments.contains("--quick")
        var only = Set(sections)
        if let index = arguments.firstIndex(of: "--only"), index + 1 < arguments.count {
            only = Set(arguments[index + 1].split(separator: ",").map(String.init))
            arguments.removeSubrange(index...index + 1)
        }
        if let unknown = arguments.first(where: { !["--json", "--quick"].contains($0) }) ?? only.subtracting(sections).first {
            FileHandle.standardError.write(Data("testbed-bench: unknown argument \(unknown); usage: testbed-bench [--json] [--quick] [--only \(sections.joined(separator: ","))]\n".utf8))
            exit(64)
        }
        let binFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let work = "/tmp/tbbench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

        say("building the baselines (cc -O2, swiftc -static-stdlib)")
        let baselines = try Baselines.build(in: work + "/baselines")
        var rows: [Measurement] = []
        let started = Date()

        let daemon = try await DaemonUnderTest(binFolder: binFolder, work: work, name: "main")
        let client = try await daemon.connect()
        let project = try BenchmarkWorkload.project(in: work)
        let _: Deployment = try await client.call(RPCMethod.deploymentCreate, params: CreateParams(name: "bench", projectLocation: project))
        await client.close()
        if only.contains("requests") {
            say("requests: latency and throughput against the C echo")
            rows += try await RequestBenchmark.run(baselines, daemon: daemon, work: work, seconds: quick ? 1 : 3)
        }
        if only.contains("cli") {
            say("cli: testbedctl against a static hello world")
            rows += try CLIBenchmark.run(baselines, binFolder: binFolder, daemon: daemon, runs: quick ? 11 : 41)
        }
        daemon.stop()
        if only.contains("follow") {
            say("follow: a large log in both formats, and write-to-follower latency")
            rows += try await FollowBenchmark.run(baselines, binFolder: binFolder, work: work, mebibytes: quick ? 64 : 256,
                                                  latencyLines: quick ? 200 : 500)
        }
        if only.contains("lists") {
            say("lists: 10,000 deployments in each store")
            rows += try await ListBenchmark.run(binFolder: binFolder, work: work, deployments: quick ? 2_000 : 10_000)
        }
        if only.contains("memory") {
            say("memory: idle RSS, idle connections, cold start")
            rows += try await MemoryBenchmark.run(binFolder: binFolder, work: work)
            if let cold = try await MemoryBenchmark.coldStart(binFolder: binFolder, work: work, runs: quick ? 5 : 15) { rows.append(cold) }
        }
        if only.contains("bridge") {
            say("bridge: health checks over mutual TLS")
            rows += try await BridgeBenchmark.run(binFolder: binFolder, work: work, checks: quick ? 100 : 500, calls: quick ? 1_000 : 5_000)
        }

        let machine = Machine.describe()
        if json {
            let report = Report(date: ISO8601DateFormatter().string(from: started), machine: machine, measurements: rows)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("Measured \(ISO8601DateFormatter().string(from: started)) on \(machine).\n")
            print("| What | testbedd | Baseline in the same run | Ratio | Target | |")
            print("|---|---|---|---|---|---|")
            for row in rows { print(row.markdownRow) }
        }
    }

    struct Report: Encodable {
        let date: String
        let machine: String
        let measurements: [Measurement]
    }
}

/// The machine, in one line: CPU model and count, memory, kernel.
enum Machine {
    static func describe() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = DaemonUnderTest.kibibytes("MemTotal", ofFile: "/proc/meminfo")
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(ProcessInfo.processInfo.activeProcessorCount) × \(model), \(memory / 1_048_576) GiB, Linux \(kernel)"
    }
}
