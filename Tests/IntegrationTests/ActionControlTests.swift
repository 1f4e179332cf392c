import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Busy refusal, cancellation, timeout and crash recovery of actions.
@Suite struct ActionControlTests {
    /// True while any process of group `pgid` exists.
    static func groupAlive(_ pgid: Int32) -> Bool { kill(-pgid, 0) == 0 }

    static func waitUntilGroupGone(_ pgid: Int32) async throws -> Bool {
        for _ in 0..<500 {
            if !groupAlive(pgid) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Waits until the running action has recorded its pid.
    static func runningPid(_ client: RPCConnection, _ id: String) async throws -> Int32 {
        for _ in 0..<500 {
            let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: id))
            if let pid = record.pid { return pid }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ProcessRunError("action \(id) never recorded a pid")
    }

    /// A daemon running the fixture with `behaviour` on deployment "web", and an
    /// `up` started there whose orchestrator's pid is known.
    struct RunningUp {
        let sandbox: Sandbox
        let daemon: DaemonProcess
        let client: RPCConnection
        let actionID: String
        let pid: Int32
    }

    static func startUp(behaviour: String, extra: [String] = []) async throws -> RunningUp {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: extra)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: behaviour, in: sandbox, client: client)
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        let pid = try await runningPid(client, started.actionID)
        return RunningUp(sandbox: sandbox, daemon: daemon, client: client, actionID: started.actionID, pid: pid)
    }

    @Test func ofConcurrentUpsExactlyOneWins() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let setup = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "slow 20 0.1", in: sandbox, client: setup)
        let socket = sandbox.socket
        let outcomes = try await withThrowingTaskGroup(of: RPCErrorCode?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let client = try await RPCConnection.connect(unixSocketPath: socket)
                    return try await withCleanup {
                        do {
                            let _: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
                            return nil
                        } catch let error as RPCError {
                            return error.code
                        }
                    } cleanup: {
                        await client.close()
                    }
                }
            }
            return try await group.reduce(into: [RPCErrorCode?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.filter { $0 == .busy }.count == 7)
        let history: ActionList = try await setup.call(RPCMethod.actionList, params: NameParams(name: "web"))
        #expect(history.actions.count == 1)
        _ = try await setup.waitForAction(history.actions[0].id)
        await setup.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func cancelStopsTheWholeProcessGroupEvenIfItIgnoresSIGTERM() async throws {
        let running = try await Self.startUp(behaviour: "stubborn")
        let (daemon, client, pid) = (running.daemon, running.client, running.pid)
        let started = ActionStarted(actionID: running.actionID)
        #expect(Self.groupAlive(pid))
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(deployment.state == .running)

        let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: started.actionID))
        let record = try await client.waitForAction(started.actionID)
        #expect(record.cancelledBy == getuid())
        #expect(record.signal == SIGKILL)  // it ignored SIGTERM for the whole grace period
        #expect(record.endState == .failed(.up(.init())))
        #expect(try await Self.waitUntilGroupGone(pid))
        let log = try String(contentsOfFile: record.logPath, encoding: .utf8)
        #expect(log.hasSuffix("testbedd: action cancelled by uid \(getuid())\n"))

        let again = await #expect(throws: RPCError.self) {
            let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: started.actionID))
        }
        #expect(again?.code == .invalidState)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func cancelAlsoEndsChildrenThatOutliveTheOrchestrator() async throws {
        let running = try await Self.startUp(behaviour: "abandon", extra: ["--cancel-grace", "30"])
        let (daemon, client, pid) = (running.daemon, running.client, running.pid)
        let started = ActionStarted(actionID: running.actionID)
        let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: started.actionID))
        let record = try await client.waitForAction(started.actionID)
        #expect(record.signal == SIGTERM)  // the orchestrator itself obeyed at once
        // ...and its child, which ignored SIGTERM, did not outlive the action by the 30 s grace.
        #expect(try await Self.waitUntilGroupGone(pid))
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func anActionPastItsTimeoutIsCancelled() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--action-timeout", "0.5"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        let outcome = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(outcome.result.signal == SIGTERM)
        #expect(outcome.result.cancelledBy == getuid())
        #expect(outcome.result.note?.contains("action_timeout") == true)
        #expect(outcome.lines.last == "testbedd: action cancelled: it ran longer than action_timeout (0.5s)")
        #expect(outcome.result.endState == .failed(.up(.init())))
        let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: outcome.result.actionID))
        #expect(try await Self.waitUntilGroupGone(try #require(record.pid)))
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aDaemonKilledMidActionLeavesItFailedAndInterrupted() async throws {
        let running = try await Self.startUp(behaviour: "hang")
        let (sandbox, daemon, client, pid) = (running.sandbox, running.daemon, running.client, running.pid)
        let started = ActionStarted(actionID: running.actionID)
        await client.close()
        #expect(try await daemon.stop(signal: SIGKILL) == 128 + SIGKILL)
        #expect(Self.groupAlive(pid))  // the orchestrator outlived the daemon

        let restarted = try await Fixtures.daemon(in: sandbox)
        let again = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        // The new daemon serves at once and decides about the action meanwhile;
        // the deployment stays held back until then.
        let record = try await again.waitForAction(started.actionID)
        let deployment: Deployment = try await again.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(deployment.state == .failed(.up(.init())))
        #expect(record.isFinished)
        #expect(record.endState == .failed(.up(.init())))
        #expect(record.note?.hasPrefix("interrupted") == true)
        // When it ended is not known: its recorded end is marked as a bound, and the CLI says so.
        #expect(record.finishedAtIsApproximate == true)
        let actions = try await ProcessRun.run(Binaries.testbedctl, ["actions", "web", "--socket", sandbox.socket])
        #expect(actions.stdout.split(separator: "\n").last?.contains(" <") == true, "\(actions.stdout)")
        let log = try String(contentsOfFile: record.logPath, encoding: .utf8)
        #expect(log.contains("hanging\ntestbedd: action interrupted: testbedd stopped while it ran"))
        #expect(try await Self.waitUntilGroupGone(pid))
        // Nothing is stuck: the next action runs.
        try Fixtures.setBehaviour("succeed", of: sandbox.path + "/web")
        let up = try await again.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(up.result.endState == .up)
        await again.close()
        #expect(try await restarted.stop() == 0)
    }

    @Test func stoppingTheDaemonCancelsRunningActionsAndRecordsThem() async throws {
        let running = try await Self.startUp(behaviour: "hang")
        let (sandbox, daemon, client, pid) = (running.sandbox, running.daemon, running.client, running.pid)
        let started = ActionStarted(actionID: running.actionID)
        await client.close()
        #expect(try await daemon.stop() == 0)
        #expect(try await Self.waitUntilGroupGone(pid))
        let restarted = try await Fixtures.daemon(in: sandbox)
        let again = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let record: ActionRecord = try await again.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
        #expect(record.note == "action cancelled: testbedd is stopping")
        #expect(record.endState == .failed(.up(.init())))
        await again.close()
        #expect(try await restarted.stop() == 0)
    }
}
