import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Actions end to end through the real `testbedctl`: the log, the outcome line
/// and the exit code.
@Suite struct CLIActionTests {
    static func ctl(_ sandbox: Sandbox, _ arguments: [String], in folder: String? = nil) async throws -> ProcessRun {
        try await ProcessRun.run(Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket], in: folder)
    }

    @Test func exitCodesFollowTheOrchestrator() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let folder = try sandbox.project("web")

        // NAME defaults to the folder, and the deployment is created from it.
        let up = try await Self.ctl(sandbox, ["up"], in: folder)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("step 2 of 2"))
        #expect(up.stderr.contains("created deployment web"))
        #expect(up.stderr.contains("up of web succeeded"))

        for (behaviour, status, phrase) in [
            ("fail 7", Int32(7), "exited with code 7"),
            ("fail 63", 63, "exited with code 63"),
            ("fail 64", 1, "exited with code 64"),
            ("fail 70", 1, "exited with code 70"),
            ("signal KILL", 1, "killed by signal 9 (SIGKILL)"),
            ("signal TERM", 1, "killed by signal 15 (SIGTERM)"),
        ] {
            try Fixtures.setBehaviour(behaviour, of: folder)
            let run = try await Self.ctl(sandbox, ["up", "web", "--provision"])
            #expect(run.status == status, "\(behaviour): \(run.stderr)")
            #expect(run.stderr.contains(phrase), "\(behaviour): \(run.stderr)")
            #expect(run.stderr.contains("web is failed (up)"))
        }

        try Fixtures.setBehaviour("succeed", of: folder)
        let snapshot = try await Self.ctl(sandbox, ["snapshot", "create", "web", "--name", "g1", "--snapshot", "s1"])
        #expect(snapshot.status == 0)
        #expect(snapshot.stdout.contains("args: snapshot create --name g1 --snapshot s1"))
        let badSnapshot = try await Self.ctl(sandbox, ["snapshot", "create", "web", "--all", "--name", "g1"])
        #expect(badSnapshot.status == 64)

        let actions = try await Self.ctl(sandbox, ["actions", "web"])
        let rows = actions.stdout.split(separator: "\n")
        #expect(rows.first?.hasPrefix("ID") == true)
        #expect(rows.count == 9)
        #expect(rows.contains { $0.contains("up -p") && $0.contains("failed") && $0.hasSuffix("7") })
        #expect(rows.contains { $0.contains("sig 9") })

        let logs = try await Self.ctl(sandbox, ["logs", "web"])
        #expect(logs.status == 0)
        #expect(logs.stdout.contains("args: snapshot create --name g1 --snapshot s1"))

        try Fixtures.setBehaviour("fail 5", of: folder)
        let detached = try await Self.ctl(sandbox, ["down", "web", "-d"])
        #expect(detached.status == 0)
        // Only the id on stdout, for scripts; the hint on stderr.
        let id = detached.stdout.trimmingCharacters(in: .newlines)
        #expect(id.count == 36 && !id.contains(" "), "\(detached.stdout)")
        #expect(detached.stderr.contains("started down of web; follow it with `testbedctl logs web \(id.prefix(8)) -f`"))
        let followed = try await Self.ctl(sandbox, ["logs", "web", "-f"])
        #expect(followed.status == 5, "\(followed.stderr)")
        #expect(followed.stdout.contains("something went wrong"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func ctrlCCancelsTheActionAndFollowsItToItsEnd() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        let out = sandbox.path + "/ctl.out", err = sandbox.path + "/ctl.err"
        let ctl = try ChildProcess(
            Binaries.testbedctl, ["up", "web"], environment: childEnvironment(["TESTBED_SOCKET": sandbox.socket]),
            stdout: out, stderr: err)
        try await eventually("the orchestrator runs and testbedctl shows its log") {
            (try? String(contentsOfFile: out, encoding: .utf8))?.contains("hanging") == true
        }
        ctl.send(SIGINT)
        let status = try await ctl.wait(timeout: .seconds(30), what: "testbedctl up")
        let stderr = try String(contentsOfFile: err, encoding: .utf8)
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("up of web was cancelled by uid \(getuid())"))
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(deployment.state == .failed(.up(.init())))
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aSecondCtrlCDetachesAndLeavesTheActionRunning() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--cancel-grace", "8"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "stubborn", in: sandbox, client: client)
        let out = sandbox.path + "/ctl.out", err = sandbox.path + "/ctl.err"
        let ctl = try ChildProcess(
            Binaries.testbedctl, ["up", "web"], environment: childEnvironment(["TESTBED_SOCKET": sandbox.socket]),
            stdout: out, stderr: err)
        try await eventually("the orchestrator runs and testbedctl shows its log") {
            (try? String(contentsOfFile: out, encoding: .utf8))?.contains("ignoring SIGTERM") == true
        }
        ctl.send(SIGINT)  // cancels: the orchestrator ignores SIGTERM, so it keeps running for the grace period
        try await eventually("testbedctl offers a second Ctrl-C") {
            (try? String(contentsOfFile: err, encoding: .utf8))?.contains("Ctrl-C again") == true
        }
        ctl.send(SIGINT)  // detaches
        let status = try await ctl.wait(timeout: .seconds(20), what: "testbedctl up")
        let stderr = try String(contentsOfFile: err, encoding: .utf8)
        #expect(status == 130, "\(stderr)")
        #expect(stderr.contains("stopped following up of web"))
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(deployment.state == .running)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func cancelStopsTheActionInProgress() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        let started = try await Self.ctl(sandbox, ["up", "web", "--detach", "--json"])
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(started.stdout.utf8)) as? [String: Any])?["action_id"] as? String)
        let busy = try await Self.ctl(sandbox, ["down", "web"])
        #expect(busy.status == 75)
        let cancel = try await Self.ctl(sandbox, ["cancel", "web"])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let record = try await client.waitForAction(id)
        #expect(record.cancelledBy == getuid())
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
