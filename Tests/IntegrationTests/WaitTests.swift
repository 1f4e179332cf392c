import Foundation
import Testing
import TestbedProtocol

/// `testbedctl wait` and `testbedctl cancel --wait`, through the real CLI and
/// daemon: they return when the change happens, say why when it cannot, and
/// give up after --timeout.
@Suite struct WaitTests {
    static func ctl(_ sandbox: Sandbox, _ arguments: [String]) async throws -> ProcessRun {
        try await ProcessRun.run(Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket])
    }

    /// Runs `testbedctl ARGUMENTS` and returns once it watches the daemon's events.
    static func watching(_ sandbox: Sandbox, _ client: RPCConnection, _ arguments: [String]) async throws -> Task<ProcessRun, any Error> {
        let before: ServerStatus = try await client.call(RPCMethod.serverStatus)
        let run = Task { try await Self.ctl(sandbox, arguments) }
        try await eventually("testbedctl \(arguments.joined(separator: " ")) watches") {
            let status: ServerStatus = try await client.call(RPCMethod.serverStatus)
            return status.eventWatchers == (before.eventWatchers ?? 0) + 1
        }
        return run
    }

    @Test func waitReturnsWhenTheActionHasBroughtTheStateAbout() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "slow 10 0.1", in: sandbox, client: client)
        // Already there: at once.
        let settled = try await Self.ctl(sandbox, ["wait", "web", "--state", "down"])
        #expect(settled.status == 0 && settled.stdout == "web is down\n", "\(settled.stderr)")

        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        let waited = try await Self.ctl(sandbox, ["wait", "web", "--state", "up"])
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stdout == "web is up\n")
        // It returned because the action had ended, not before.
        let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
        #expect(record.isFinished && record.endState == .up)

        // Without --state: until no action runs.
        let _: ActionStarted = try await client.call(RPCMethod.deploymentDown, params: ActionNameParams(name: "web"))
        let any = try await Self.ctl(sandbox, ["wait", "web", "--json"])
        // The history for scripts: full ids only, or rows without the header.
        let ids = try await Self.ctl(sandbox, ["actions", "web", "-q"])
        #expect(ids.status == 0 && ids.stdout.split(separator: "\n").first.map(String.init) == started.actionID)
        #expect(ids.stdout.split(separator: "\n").count == 2)
        let rows = try await Self.ctl(sandbox, ["actions", "web", "--no-headers"])
        #expect(rows.stdout.split(separator: "\n").count == 2 && !rows.stdout.contains("COMMAND"))

        // A watcher that disconnects is forgotten.
        try await eventually("the watchers are gone") {
            let status: ServerStatus = try await client.call(RPCMethod.serverStatus)
            return status.eventWatchers == 0 && status.lastEvent! >= 8
        }
        #expect(any.status == 0, "\(any.stderr)")
        let deployment = try JSONSerialization.jsonObject(with: Data(any.stdout.utf8)) as? [String: Any]
        #expect(deployment?["state"] as? String == "down")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func waitSaysWhyWhenTheStateWillNotComeAndGivesUpAfterItsTimeout() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "fail 3", in: sandbox, client: client)

        let timedOut = try await Self.ctl(sandbox, ["wait", "web", "--state", "up", "--timeout", "0.5"])
        #expect(timedOut.status == 124)
        #expect(timedOut.stderr.contains("timed out after 0.5 s waiting for web to be up"))

        let waiting = try await Self.watching(sandbox, client, ["wait", "web", "--state", "up"])
        let _: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        let failed = try await waiting.value
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("web is failed (up) after its action failed, not up"), "\(failed.stderr)")

        let gone = try await Self.watching(sandbox, client, ["wait", "web", "--state", "up"])
        let _: Deployment = try await client.call(RPCMethod.deploymentResetState, params: ResetStateParams(name: "web"))
        let _: EmptyResult = try await client.call(RPCMethod.deploymentDestroy, params: NameParams(name: "web"))
        let destroyed = try await gone.value
        #expect(destroyed.status == 1)
        #expect(destroyed.stderr.contains("web was destroyed while waiting for it to be up"), "\(destroyed.stderr)")

        let unknown = try await Self.ctl(sandbox, ["wait", "nope"])
        #expect(unknown.status == 1 && unknown.stderr.contains("nope"))
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func cancelWaitReturnsOnceTheActionHasEnded() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "stubborn", in: sandbox, client: client)
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        try await eventually("the action runs") {
            let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
            return record.pid != nil
        }
        // The fixture ignores SIGTERM: it ends only at SIGKILL, after the 1 s grace.
        let cancel = try await Self.ctl(sandbox, ["cancel", "web", "--wait"])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("cancelled"), "\(cancel.stdout)")
        let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
        #expect(record.isFinished && record.cancelledBy == 0)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
