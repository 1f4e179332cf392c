import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Every state transition of the actions, through the real daemon and the
/// fixture orchestrator.
@Suite struct ActionStateTests {
    static func up(_ client: RPCConnection, _ name: String) async throws -> Followed<ActionOutcome> {
        try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: name, follow: true))
    }

    static func state(_ client: RPCConnection, _ name: String) async throws -> DeploymentState {
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: name))
        return deployment.state
    }

    @Test(arguments: ["file", "sqlite"])
    func everyTransition(store: String) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, store: store)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let folder = try await Fixtures.deployment("web", in: sandbox, client: client)
        let upCommand = DeploymentCommand.up(.init())

        // Success of up gives up; the outcome is recorded before the answer.
        let up = try await Self.up(client, "web")
        #expect(up.result.endState == .up)
        #expect(up.result.errorCode == 0)
        #expect(try await Self.state(client, "web") == .up)
        let record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: up.result.actionID))
        #expect(record.isFinished && record.endState == .up && record.startedBy == getuid())

        // Success of anything else restores the state from before.
        let generate = try await client.follow(
            RPCMethod.deploymentGenerateArtefacts.name, params: ActionNameParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(generate.result.endState == .up)
        let testbedSnapshot = try await client.follow(
            RPCMethod.deploymentTestbedSnapshot.name, params: TestbedSnapshotParams(name: "web", snapshotGuests: true, follow: true),
            as: ActionOutcome.self)
        #expect(testbedSnapshot.lines.contains("args: testbed-snapshot --snapshot-guests"))
        #expect(testbedSnapshot.result.endState == .up)

        // Failure gives {"failed": command} with the exit code recorded.
        try Fixtures.setBehaviour("fail 3", of: folder)
        let failed = try await Self.up(client, "web")
        #expect(failed.result.errorCode == 3)
        #expect(failed.result.endState == .failed(upCommand))
        #expect(try await Self.state(client, "web") == .failed(upCommand))

        // A read-only query never changes the state, even when it fails.
        let info = try await client.follow(
            RPCMethod.deploymentSnapshot.name, params: SnapshotParams(name: "web", snapshot: .info(name: "g1"), follow: true),
            as: ActionOutcome.self)
        #expect(info.result.errorCode == 3)
        #expect(info.result.endState == .failed(upCommand))
        #expect(info.lines.contains("args: snapshot info --name g1"))

        // Success of down or clear-artefacts gives down.
        try Fixtures.setBehaviour("succeed", of: folder)
        let down = try await client.follow(
            RPCMethod.deploymentDown.name, params: ActionNameParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(down.result.endState == .down)
        _ = try await Self.up(client, "web")
        let clear = try await client.follow(
            RPCMethod.deploymentClearArtefacts.name, params: ActionNameParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(clear.result.endState == .down)

        // Every action is in the history, oldest first, and the deployment points at the last.
        let history: ActionList = try await client.call(RPCMethod.actionList, params: NameParams(name: "web"))
        #expect(history.actions.count == 8)
        #expect(history.actions.last?.id == clear.result.actionID)
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(deployment.lastActionUUID == clear.result.actionID)

        // All of it survives a restart.
        await client.close()
        #expect(try await daemon.stop() == 0)
        let restarted = try await Fixtures.daemon(in: sandbox, store: store)
        let again = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let reloaded: ActionList = try await again.call(RPCMethod.actionList, params: NameParams(name: "web"))
        #expect(reloaded.actions == history.actions)
        await again.close()
        #expect(try await restarted.stop() == 0)
    }

    @Test func aReadOnlyQueryNeverShowsRunningButStillHoldsTheDeployment() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        let started: ActionStarted = try await client.call(
            RPCMethod.deploymentSnapshot, params: SnapshotParams(name: "web", snapshot: .list(name: nil, all: true)))
        #expect(try await Self.state(client, "web") == .down)
        let second = await #expect(throws: RPCError.self) {
            let _: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        }
        #expect(second?.code == .busy)
        // Even cancelled (a failure), a read-only query leaves the state as it was.
        let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: started.actionID))
        let record = try await client.waitForAction(started.actionID)
        #expect(record.cancelledBy != nil)
        #expect(record.endState == .down)
        #expect(try await Self.state(client, "web") == .down)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func theOrchestratorGetsTheContractsArgumentsFolderAndEnvironment() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let folder = try await Fixtures.deployment("web", in: sandbox, client: client)
        let up = try await client.follow(
            RPCMethod.deploymentUp.name,
            params: UpParams(name: "web", provision: true, rerunScripts: true, reapplyAcl: true, follow: true),
            as: ActionOutcome.self)
        #expect(up.lines.contains("args: up --provision --rerun-scripts --reapply-acl"))
        #expect(up.lines.contains("project: web cwd: \(folder)"))
        #expect(up.lines.contains("env: action=\(up.result.actionID) deployment=web dir=\(folder)"))

        let create = try await client.follow(
            RPCMethod.deploymentSnapshot.name,
            params: SnapshotParams(name: "web", snapshot: .create(.init(name: "g1", snapshot: "s1")), follow: true),
            as: ActionOutcome.self)
        #expect(create.lines.contains("args: snapshot create --name g1 --snapshot s1"))
        let restoreAll = try await client.follow(
            RPCMethod.deploymentSnapshot.name, params: SnapshotParams(name: "web", snapshot: .restore(.init(all: true)), follow: true),
            as: ActionOutcome.self)
        #expect(restoreAll.lines.contains("args: snapshot restore --all"))

        // A value the orchestrator could read as an option never reaches it.
        let hostile = await #expect(throws: RPCError.self) {
            let _: ActionStarted = try await client.call(
                RPCMethod.deploymentSnapshot,
                params: SnapshotParams(name: "web", snapshot: .create(.init(name: "--all", snapshot: "s"))))
        }
        #expect(hostile?.code == .invalidParams)
        #expect(hostile?.field == "snapshot.name")

        // The log file holds the orchestrator's bytes, where the record says.
        let log = try String(contentsOfFile: up.result.logPath, encoding: .utf8)
        #expect(log == up.lines.joined(separator: "\n") + "\n")
        #expect(up.result.logPath.hasPrefix(sandbox.state + "/logs/orchestration/"))
        #expect(up.result.logPath.hasSuffix("-web.log"))
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aMissingOrchestratorFailsTheActionWithAClearLine() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox, extra: ["--orchestrator", sandbox.path + "/no-such-tool"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        let up = try await Self.up(client, "web")
        #expect(up.result.errorCode == nil)
        #expect(up.result.endState == .failed(.up(.init())))
        #expect(up.result.note?.contains("could not be started") == true)
        #expect(up.lines.last?.contains("cannot start the orchestrator") == true)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func destroyRemovesTheHistoryAndTheLogFiles() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        let up = try await Self.up(client, "web")
        let refused = await #expect(throws: RPCError.self) {
            let _: EmptyResult = try await client.call(RPCMethod.deploymentDestroy, params: NameParams(name: "web"))
        }
        #expect(refused?.code == .invalidState)
        _ = try await client.follow(RPCMethod.deploymentDown.name, params: ActionNameParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(FileManager.default.fileExists(atPath: up.result.logPath))
        let _: EmptyResult = try await client.call(RPCMethod.deploymentDestroy, params: NameParams(name: "web"))
        #expect(!FileManager.default.fileExists(atPath: up.result.logPath))
        #expect(!FileManager.default.fileExists(atPath: sandbox.state + "/deployments/web-logs.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.state + "/logs/orchestration").isEmpty)
        let gone = await #expect(throws: RPCError.self) {
            let _: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: up.result.actionID))
        }
        #expect(gone?.code == .notFound)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
