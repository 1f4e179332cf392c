import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// What an idle testbedd holds, and what idle connections add; how fast a
/// socket-activated testbedd answers its first request.
enum MemoryBenchmark {
    static func run(binFolder: String, work: String) async throws -> [Measurement] {
        let daemon = try await DaemonUnderTest(binFolder: binFolder, work: work, name: "idle")
        defer { daemon.stop() }
        let client = try await daemon.connect()
        let _: EmptyResult = try await client.call(RPCMethod.ping)
        await client.close()
        try await Task.sleep(for: .seconds(1))
        let idle = daemon.kibibytes("VmRSS")
        let anonymous = daemon.kibibytes("RssAnon"), fileBacked = daemon.kibibytes("RssFile")
        var sockets: [Int32] = []
        for _ in 0..<1000 { sockets.append(RawSocket.connect(daemon.socket)) }
        // Each has been accepted once one request on a fresh connection is answered.
        let last = RawSocket.connect(daemon.socket)
        _ = try RawSocket.call(last, #"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#)
        try await Task.sleep(for: .seconds(1))
        let withConnections = daemon.kibibytes("VmRSS")
        for fd in sockets + [last] { close(fd) }
        return [
            .absolute("idle RSS", Double(idle) / 1024, "MiB", limit: 20),
            .info("idle RSS, anonymous: the daemon's own memory", Double(anonymous) / 1024, "MiB"),
            .info("idle RSS, file-backed: pages of the static binary the kernel mapped", Double(fileBacked) / 1024, "MiB"),
            .absolute("1,000 idle connections, added RSS", Double(withConnections - idle) / 1024, "MiB", limit: 20),
        ]
    }

    /// From connecting to a socket that systemd-socket-activate holds to the
    /// answer to `rpc.hello`, a fresh testbedd each time; nil when
    /// systemd-socket-activate is not installed.
    static func coldStart(binFolder: String, work: String, runs: Int) async throws -> Measurement? {
        guard let activator = ["/usr/bin/systemd-socket-activate", "/bin/systemd-socket-activate"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        var times: [Double] = []
        for run in 0..<runs {
            let socket = work + "/cold-\(run).sock"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: activator)
            process.arguments = ["--listen=\(socket)", "--fdname=rw", binFolder + "/testbedd", "--state-dir", work + "/cold-state",
                                 "--socket", work + "/unused.sock", "--log-level", "error"]
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            while !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(2)) }
            try await Task.sleep(for: .milliseconds(50))
            let start = ContinuousClock.now
            let fd = RawSocket.connect(socket)
            _ = try RawSocket.call(fd, #"{"jsonrpc":"2.0","id":1,"method":"rpc.hello"}"#)
            times.append(Run.seconds(ContinuousClock.now - start) * 1000)
            close(fd)
            process.terminate()
            process.waitUntilExit()
        }
        return .absolute("cold start by socket activation, to the first answer", times.sorted()[times.count / 2], "ms", limit: 50)
    }
}
