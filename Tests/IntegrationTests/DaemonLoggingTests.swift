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

    /// Runs `command` with /run/systemd/journal replaced by `journalFolder`, in a mount
    /// namespace of its own: libsystemd's `sd_journal_sendv` writes to the fixed path
    /// /run/systemd/journal/socket, which thus reaches the test's socket, and the host's
    /// /run (and its journald, if one runs) is never touched. `unshare` execs the shell,
    /// which execs `command`: it keeps the pid `DaemonProcess` signals.
    static func withPrivateJournal(_ journalFolder: String, _ command: [String]) -> (executable: String, arguments: [String]) {
        let script = """
            set -e
            folder="$1"; shift
            if [ -d /run/systemd ]; then mount -t tmpfs testbed-test /run/systemd; else mount -t tmpfs testbed-test /run; fi
            mkdir -p /run/systemd/journal
            mount --bind "$folder" /run/systemd/journal
            exec "$@"
            """
        return ("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", journalFolder] + command)
    }

    @Test func underTheJournalEntriesCarryStructuredFields() async throws {
        let hostJournal = "/run/systemd/journal/socket"
        let hostHadJournal = FileManager.default.fileExists(atPath: hostJournal)
        let sandbox = try Sandbox()
        let journalFolder = sandbox.path + "/journal"
        try FileManager.default.createDirectory(atPath: journalFolder, withIntermediateDirectories: true)
        // The journal's socket, as the daemon will see it.
        let journal = try NotifySocket(path: journalFolder + "/socket")

        let logPath = sandbox.path + "/stderr.log"
        try Data().write(to: URL(fileURLWithPath: logPath))
        var info = stat()
        stat(logPath, &info)
        let (executable, arguments) = Self.withPrivateJournal(journalFolder, [
            Binaries.testbedd, "--socket", sandbox.socket, "--state-dir", sandbox.state, "--orchestrator", Fixtures.orchestrator,
        ])
        let daemon = try DaemonProcess(
            executable: executable, arguments: arguments, socket: sandbox.socket, logPath: logPath,
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
        // The host's journal socket was left as it was.
        #expect(FileManager.default.fileExists(atPath: hostJournal) == hostHadJournal)
    }
}
