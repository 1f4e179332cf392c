import Foundation
import NIOCore
import NIOSSL
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// What the cluster bridge costs: a health check as the main makes it (TCP,
/// a mutual TLS handshake, `host.status`, close), and `host.status` on a
/// connection already open. Certificates come from the real `testbedctl`.
enum BridgeBenchmark {
    static func run(binFolder: String, work: String, checks: Int, calls: Int) async throws -> [Measurement] {
        let ca = work + "/ca", main = work + "/main-pki", peer = work + "/peer-pki"
        for arguments in [
            ["cluster", "ca", "init", "--pki-dir", ca],
            ["cluster", "issue", "main", "--out", main, "--pki-dir", ca],
            ["cluster", "issue", "peer", "--out", peer, "--pki-dir", ca],
        ] {
            let tool = Process()
            tool.executableURL = URL(fileURLWithPath: binFolder + "/testbedctl")
            tool.arguments = arguments
            tool.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try tool.run()
            tool.waitUntilExit()
            guard tool.terminationStatus == 0 else { fatalError("testbedctl \(arguments) failed") }
        }
        let port = 20_000 + Int(getpid() % 20_000)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: binFolder + "/testbedd")
        daemon.arguments = [
            "main", "--socket", work + "/bridge.sock", "--ro-socket", "", "--socket-group", "", "--state-dir", work + "/bridge-state",
            "--pki-dir", main, "--bridge-listen", "127.0.0.1:\(port)", "--log-level", "error",
        ]
        try daemon.run()
        defer { daemon.terminate(); daemon.waitUntilExit() }

        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca + "/ca.pem"))
        configuration.certificateVerification = .noHostnameVerification
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(peer + "/node.pem").map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: peer + "/node.key", format: .pem))
        let context = try NIOSSLContext(configuration: configuration)
        @Sendable func connect() async throws -> RPCConnection {
            try await RPCConnection.connect(host: "127.0.0.1", port: port, connectTimeout: .seconds(5)) { channel in
                try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
                return channel.eventLoop.makeSucceededVoidFuture()
            }
        }
        var first: RPCConnection?
        for _ in 0..<500 where first == nil {
            first = try? await connect()
            if first == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let open = first else { fatalError("testbedd's bridge did not start") }

        let cpuBefore = Self.cpuSeconds(daemon.processIdentifier)
        var fresh: [Double] = []
        for _ in 0..<checks {
            let start = ContinuousClock.now
            let connection = try await connect()
            let _: HostStatus = try await connection.call(RPCMethod.hostStatus)
            connection.abort()
            fresh.append(Run.seconds(ContinuousClock.now - start) * 1e6)
        }
        let cpuPerCheck = (Self.cpuSeconds(daemon.processIdentifier) - cpuBefore) / Double(checks) * 1e6
        var reused: [Double] = []
        for _ in 0..<calls {
            let start = ContinuousClock.now
            let _: HostStatus = try await open.call(RPCMethod.hostStatus)
            reused.append(Run.seconds(ContinuousClock.now - start) * 1e6)
        }
        open.abort()
        fresh.sort()
        reused.sort()
        return [
            .info("bridge health check (new mutual-TLS connection), p50", fresh[fresh.count / 2], "µs"),
            .info("bridge health check, testbedd CPU per check", cpuPerCheck, "µs"),
            .info("bridge `host.status` on an open connection, p50", reused[reused.count / 2], "µs"),
        ]
    }

    /// utime + stime of `pid`, in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
