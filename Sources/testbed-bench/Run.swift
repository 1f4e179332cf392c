import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes, started with posix_spawn and waited for directly, so that
/// timing one costs no more than the kernel's own work.
enum Run {
    /// Runs `argv` (searched in PATH) with its output discarded; returns the wall time and exit status.
    @discardableResult
    static func timed(_ argv: [String], quiet: Bool = true) -> (seconds: Double, status: Int32) {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let start = ContinuousClock.now
        var pid: pid_t = 0
        guard posix_spawnp(&pid, argv[0], &actions, nil, cArguments, environ) == 0 else { return (0, 127) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (seconds(ContinuousClock.now - start), (status >> 8) & 0xff)
    }

    /// The median wall time of `runs` runs, in milliseconds; fails if any run fails.
    static func medianMilliseconds(_ argv: [String], runs: Int) throws -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let (seconds, status) = timed(argv)
            guard status == 0 else { throw BenchError("\(argv.joined(separator: " ")) exited with \(status)") }
            times.append(seconds * 1000)
        }
        return times.sorted()[times.count / 2]
    }

    /// Runs `argv` and returns its standard output; fails unless it exits 0.
    @discardableResult
    static func checked(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("\(argv.joined(separator: " ")) exited with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
