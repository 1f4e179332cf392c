import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Where the daemon's own log goes: the journal, natively, when stderr is the
/// journal; else a rotated file in the state folder (and stderr).
@Suite struct DaemonLoggingTests {
    @Test func withoutTheJournalItAppendsToARotatedFileAcrossRestarts() async throws {
        let sandbox = try Sandbox()
        let first = try await DaemonProcess.start(in: sandbox)
        #expect(try await first.stop() == 0)
        let second = try await DaemonProcess.start(in: sandbox, extra: ["--log-max-bytes", "4096", "--log-keep", "2"])
        // Enough debug logging to rotate: each connection logs two lines.
        for _ in 0..<120 { _ = try RawClient(path: sandbox.socket).call("rpc.ping") }
        #expect(try await second.stop() == 0)
        let log = sandbox.state + "/logs/testbedd.log"
        let current = try String(contentsOfFile: log, encoding: .utf8)
        #expect(current.contains("testbedd stopped"))
        let sizes = try [log, log + ".1", log + ".2"].map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int }
        #expect(sizes.allSatisfy { $0 <= 4096 })
        #expect(!FileManager.default.fileExists(atPath: log + ".3"))
        // The first run's lines were not truncated away by the second start: they
        // rotated out, and the oldest kept file comes from before the last lines.
        #expect(try String(contentsOfFile: log + ".2", encoding: .utf8).contains("connection"))
    }

    @Test func aMissingOrchestratorIsWarnedAboutAtStart() async throws {
        let sandbox = try Sandbox()
        let missing = sandbox.path + "/no-such-orchestrator"
        let daemon = try await DaemonProcess.start(in: sandbox, extra: ["--orchestrator", missing])
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("the orchestrator \(missing) cannot be run (No such file or directory): every action will fail"))
        let other = try Sandbox()
        let present = try await DaemonProcess.start(in: other, extra: ["--orchestrator", "/bin/true"])
        #expect(try await present.stop() == 0)
        #expect(present.log.contains("testbedd stopped"))
        #expect(!present.log.contains("cannot be run"))
    }

    @Test func underTheJournalEntriesCarryStructuredFields() async throws {
        let journalSocket = "/run/systemd/journal/socket"
        // No journald runs on the build machines; stand in for its socket. (Where
        // one runs, its socket exists and this would need journalctl instead.)
        #expect(!FileManager.default.fileExists(atPath: journalSocket), "a journald runs here; read the entries with journalctl")
        let createdFolder = !FileManager.default.fileExists(atPath: "/run/systemd/journal")
        try FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)
        let journal = try NotifySocket(path: journalSocket)
        defer {
            unlink(journalSocket)
            if createdFolder { rmdir("/run/systemd/journal") }
        }

        let sandbox = try Sandbox()
        let logPath = sandbox.path + "/stderr.log"
        try Data().write(to: URL(fileURLWithPath: logPath))
        var info = stat()
        stat(logPath, &info)
        let daemon = try DaemonProcess(
            arguments: ["--socket", sandbox.socket, "--state-dir", sandbox.state, "--orchestrator", Fixtures.orchestrator],
            socket: sandbox.socket, logPath: logPath,
            environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"])
        try await daemon.waitUntilAccepting()
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("journaled", in: sandbox, client: client)
        await client.close()
        #expect(try await daemon.stop() == 0)

        var entries: [[String: String]] = []
        while let datagram = journal.receive(timeoutSeconds: 2) {
            var fields: [String: String] = [:]
            for line in datagram.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            entries.append(fields)
        }
        let created = try #require(entries.first { $0["MESSAGE"] == "deployment created" })
        #expect(created["TESTBED_DEPLOYMENT"] == "journaled")
        #expect(created["TESTBED_METHOD"] == "deployment.create")
        #expect(created["TESTBED_CALLER_UID"] == String(getuid()))
        #expect(created["PRIORITY"] == "6")
        #expect(created["SYSLOG_IDENTIFIER"] == "testbedd")
        #expect(entries.contains { $0["MESSAGE"] == "testbedd stopped" })
        // Nothing went to stderr or the log file: the journal has it all.
        #expect(try String(contentsOfFile: logPath, encoding: .utf8).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sandbox.state + "/logs/testbedd.log"))
    }
}
