import Foundation
import Testing
import TestbedProtocol

/// The exit status of each class of error, through the real CLI and daemon,
/// as docs/cli.md lists them: the same cause gets the same status in every
/// command. (Permission denied, 77, is AccessControlTests'; the protocol
/// mismatch, 76, ProtocolVersionTests'; the orchestrator's own codes,
/// CLIActionTests'.)
@Suite struct CLIExitStatusTests {
    static func ctl(_ sandbox: Sandbox, _ arguments: [String]) async throws -> ProcessRun {
        try await ProcessRun.run(Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket])
    }

    /// The `code` of the JSON error `run` printed on stderr.
    static func code(_ run: ProcessRun) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(run.stderr.utf8)) as? [String: Any])?["code"] as? String
    }

    @Test func eachClassOfErrorHasOneStatusEverywhere() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        _ = try await Fixtures.deployment("slow", behaviour: "hang", in: sandbox, client: client)

        // Not found: a deployment or an action, in any command, exits 1 with not_found.
        // (web has no action yet: its last action is not found either.)
        for arguments in [["deployment", "info", "nope"], ["logs", "nope"], ["actions", "nope"], ["deployment", "rm", "nope"],
                          ["wait", "nope"], ["logs", "web"], ["cancel", "web"]] {
            let run = try await Self.ctl(sandbox, arguments + ["--json"])
            #expect(run.status == 1, "\(arguments): \(run.stderr)")
            #expect(Self.code(run) == "not_found", "\(arguments): \(run.stderr)")
        }
        let up = try await Self.ctl(sandbox, ["up", "web"])
        #expect(up.status == 0, "\(up.stderr)")
        let unknownAction = try await Self.ctl(sandbox, ["logs", "web", "ffffffff", "--json"])
        #expect(unknownAction.status == 1 && Self.code(unknownAction) == "not_found", "\(unknownAction.stderr)")

        // Usage: a wrong value, a mistyped command (with a suggestion).
        let badState = try await Self.ctl(sandbox, ["deployment", "list", "--state", "sideways"])
        #expect(badState.status == 64)
        let typo = try await Self.ctl(sandbox, ["stauts"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'status'?"), "\(typo.stderr)")

        // Unreachable.
        let nowhere = try await ProcessRun.run(Binaries.testbedctl, ["status", "--json", "--socket", sandbox.path + "/none.sock"])
        #expect(nowhere.status == 69 && Self.code(nowhere) == "unreachable")

        // Already exists, and the wrong state: 1, with the daemon's code.
        let again = try await Self.ctl(sandbox, ["deployment", "create", "web", "--path", sandbox.path + "/web", "--json"])
        #expect(again.status == 1 && Self.code(again) == "already_exists", "\(again.stderr)")
        let destroyUp = try await Self.ctl(sandbox, ["deployment", "destroy", "web", "--json"])
        #expect(destroyUp.status == 1 && Self.code(destroyUp) == "invalid_state", "\(destroyUp.stderr)")
        // Resetting an up deployment asks for --force, and says why.
        let reset = try await Self.ctl(sandbox, ["deployment", "reset-state", "web"])
        #expect(reset.status == 1 && reset.stderr.contains("its guests may still be running"), "\(reset.stderr)")
        let stillUp: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(stillUp.state == .up)
        let forced = try await Self.ctl(sandbox, ["deployment", "reset-state", "web", "--force"])
        #expect(forced.status == 0 && forced.stdout == "deployment web is now down\n", "\(forced.stderr)")

        // Cancelling an action that has ended is a success, and says so.
        let ended = try await Self.ctl(sandbox, ["cancel", "web"])
        #expect(ended.status == 0, "\(ended.stderr)")
        #expect(ended.stdout.hasPrefix("nothing to cancel: the last action of web has ended. up of web succeeded"), "\(ended.stdout)")

        // Busy: another action on a deployment with one in progress.
        let started = try await Self.ctl(sandbox, ["up", "slow", "-d"])
        #expect(started.status == 0)
        let busy = try await Self.ctl(sandbox, ["down", "slow", "--json"])
        #expect(busy.status == 75 && Self.code(busy) == "busy", "\(busy.stderr)")

        // Ctrl-C while following the log: 130, and the action goes on.
        let out = sandbox.path + "/logs.out", err = sandbox.path + "/logs.err"
        let logs = try ChildProcess(
            Binaries.testbedctl, ["logs", "slow", "-f"], environment: childEnvironment(["TESTBED_SOCKET": sandbox.socket]),
            stdout: out, stderr: err)
        try await eventually("testbedctl logs -f prints the log") {
            (try? String(contentsOfFile: out, encoding: .utf8))?.contains("hanging") == true
        }
        logs.send(SIGINT)
        #expect(try await logs.wait(timeout: .seconds(10), what: "testbedctl logs -f") == 130)
        #expect(try String(contentsOfFile: err, encoding: .utf8).contains("the action goes on"))
        let running: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "slow"))
        #expect(running.state == .running)

        let cancel = try await Self.ctl(sandbox, ["cancel", "slow", "--wait"])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aStreamWhoseReaderHasGoneEndsBySIGPIPE() async throws {
        // `testbedctl events | head -1`: once head has gone, the next write ends testbedctl, as it would `cat`.
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let out = sandbox.path + "/pipe.out"
        let pipeline = try ChildProcess(
            "/bin/bash", ["-c", "set -o pipefail; \"$0\" events --socket \"$1\" | head -n 1; echo \"status $?\"", Binaries.testbedctl, sandbox.socket],
            environment: childEnvironment([:]), stdout: out, stderr: sandbox.path + "/pipe.err")
        var created = 0
        while pipeline.isRunning, created < 50 {
            created += 1
            _ = try await Fixtures.deployment("d\(created)", in: sandbox, client: client)
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try await pipeline.wait(timeout: .seconds(10), what: "testbedctl events | head") == 0)
        let printed = try String(contentsOfFile: out, encoding: .utf8)
        #expect(printed.hasSuffix("status 141\n"), "\(printed)")
        #expect(printed.contains(": created (owner 0)"), "\(printed)")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aDaemonThatGoesAwayMidFollowExits69AndSaysHowToFollowAgain() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("slow", behaviour: "hang", in: sandbox, client: client)
        let out = sandbox.path + "/up.out", err = sandbox.path + "/up.err"
        let up = try ChildProcess(
            Binaries.testbedctl, ["up", "slow"], environment: childEnvironment(["TESTBED_SOCKET": sandbox.socket]),
            stdout: out, stderr: err)
        try await eventually("testbedctl up prints the log") {
            (try? String(contentsOfFile: out, encoding: .utf8))?.contains("hanging") == true
        }
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "slow"))
        let action: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: try #require(deployment.lastActionUUID)))
        await client.close()
        daemon.child.send(SIGKILL)
        defer { if let pid = action.pid { kill(pid, SIGKILL) } }  // the orchestrator the killed daemon left
        #expect(try await up.wait(timeout: .seconds(10), what: "testbedctl up") == 69)
        let said = try String(contentsOfFile: err, encoding: .utf8)
        #expect(said.contains("testbedd went away while following up of slow"), "\(said)")
        #expect(said.contains("the action goes on without it") && said.contains("`testbedctl logs slow -f` follows it again"), "\(said)")
        _ = try await daemon.waitForExit()
    }
}
