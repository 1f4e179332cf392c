import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The action parts driven through a scripted launcher (a test double for the
/// orchestrator process, which testbedd does not ship) and a fixed clock: the
/// cases that are races in a whole daemon are steps here.
@Suite struct ActionSupervisorTests {
    static let started = Date(timeIntervalSince1970: 1_764_000_000)
    static let root = PeerCredentials(pid: 1, uid: 0, gid: 0)

    /// An orchestrator process the test ends: it records the signals it gets,
    /// and ends by SIGTERM like a well-behaved orchestrator.
    final class ScriptedProcess: LaunchedProcess, Sendable {
        let signals = NIOLockedValueBox<[Int32]>([])
        private let ending = NIOLockedValueBox<(ProcessTermination?, CheckedContinuation<ProcessTermination, Never>?)>((nil, nil))
        let reportedExit: Date?

        init(reportedExit: Date? = nil) { self.reportedExit = reportedExit }

        var pid: Int32 { 0 }
        var signallingBlocks: Bool { reportedExit != nil }
        func exitTime() -> Date? { reportedExit }

        func signalAll(_ signal: Int32) {
            signals.withLockedValue { $0.append(signal) }
            if signal == SIGTERM || signal == SIGKILL { end(.signaled(signal)) }
        }

        func end(_ termination: ProcessTermination) {
            let waiter = ending.withLockedValue { state -> CheckedContinuation<ProcessTermination, Never>? in
                guard state.0 == nil else { return nil }
                state.0 = termination
                defer { state.1 = nil }
                return state.1
            }
            waiter?.resume(returning: termination)
        }

        func waitForExit() async -> ProcessTermination {
            await withCheckedContinuation { continuation in
                let ended = ending.withLockedValue { state -> ProcessTermination? in
                    if state.0 == nil { state.1 = continuation }
                    return state.0
                }
                if let ended { continuation.resume(returning: ended) }
            }
        }
    }

    /// A launcher whose answers the test scripts.
    final class ScriptedLauncher: ActionLauncher, Sendable {
        let process: ScriptedProcess
        let reattachments: NIOLockedValueBox<[Reattachment]>
        let onLaunch: @Sendable (OrchestratorInvocation) -> Void

        init(process: ScriptedProcess = ScriptedProcess(), reattachments: [Reattachment] = [],
             onLaunch: @escaping @Sendable (OrchestratorInvocation) -> Void = { _ in }) {
            self.process = process
            self.reattachments = NIOLockedValueBox(reattachments)
            self.onLaunch = onLaunch
        }

        func launch(_ invocation: OrchestratorInvocation) throws -> any LaunchedProcess {
            onLaunch(invocation)
            return process
        }

        func reattach(actionID: String) -> Reattachment {
            reattachments.withLockedValue { $0.isEmpty ? .gone : $0.removeFirst() }
        }
    }

    struct Parts {
        let registry: DeploymentRegistry
        let supervisor: ActionSupervisor
        let pool: NIOThreadPool
    }

    static func parts(_ folder: TemporaryFolder, launcher: ScriptedLauncher, clock: Date = started) throws -> Parts {
        let registry = try DeploymentRegistry(
            store: FileDeploymentStore(stateDirectory: folder.path), clock: FixedClock(instant: clock))
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = folder.path
        configuration.cancelGrace = 30
        let pool = NIOThreadPool.singleton
        let supervisor = try ActionSupervisor(
            registry: registry, launcher: launcher, watcher: LogWatcher(),
            configuration: configuration, blockingPool: pool, logger: Logger(label: "test"))
        return Parts(registry: registry, supervisor: supervisor, pool: pool)
    }

    /// Waits until action `id` is over: its outcome recorded, its followers told, its deployment free.
    static func waitUntilFinished(_ id: String, in parts: Parts) async throws -> ActionRecord {
        for _ in 0..<1000 {
            if let record = try? parts.registry.action(id), record.isFinished, !parts.supervisor.isBusy(record.deployment) {
                return record
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw DeploymentError.storage("action \(id) did not finish")
    }

    @Test func aCancelThatComesWhileTheOrchestratorStartsStopsItOnceStarted() async throws {
        let folder = try TemporaryFolder()
        let box = NIOLockedValueBox<ActionSupervisor?>(nil)
        let launcher = ScriptedLauncher { invocation in
            // The cancel arrives between the record and the launch: there is nothing to signal yet.
            let id = invocation.environment["TESTBED_ACTION_ID"]!
            _ = try? box.withLockedValue { $0 }!.cancel(id, by: 1000)
        }
        let parts = try Self.parts(folder, launcher: launcher)
        box.withLockedValue { $0 = parts.supervisor }
        _ = try parts.registry.create(name: "web", projectLocation: try folder.project(), owner: 0)

        let live = try parts.supervisor.start(.up(.init()), on: "web", by: Self.root)
        let record = try await Self.waitUntilFinished(live.id, in: parts)
        #expect(launcher.process.signals.withLockedValue { $0 }.first == SIGTERM)
        #expect(record.cancelledBy == 1000)
        #expect(record.signal == SIGTERM)
        #expect(record.note == "action cancelled by uid 1000")
        #expect(record.endState == .failed(.up(.init())))
        #expect(try parts.registry.get("web").state == .failed(.up(.init())))
        #expect(!parts.supervisor.isBusy("web"))
    }

    /// A deployment with an action a previous daemon left running.
    static func leftRunning(_ parts: Parts, _ folder: TemporaryFolder) throws -> ActionRecord {
        let deployment = try parts.registry.create(name: "web", projectLocation: try folder.project(), owner: 0)
        let path = folder.path + "/left.log"
        try Data("step 1 of 2\n".utf8).write(to: URL(fileURLWithPath: path))
        var record = ActionRecord(
            id: "left", deployment: "web", command: .up(.init()), logPath: path, executionTime: started, startedBy: 0,
            deploymentCreationID: deployment.creationID)
        record.previousState = .down
        try parts.registry.record(record) { $0.state = .running }
        return record
    }

    @Test func aLeftActionIsDecidedAboutWhileTheDaemonServesAndItsDeploymentWaitsMeanwhile() async throws {
        let folder = try TemporaryFolder()
        // The bus does not answer at first (early at boot), then says the unit is gone.
        let launcher = ScriptedLauncher(reattachments: [.unknown, .gone])
        let parts = try Self.parts(folder, launcher: launcher, clock: Self.started.addingTimeInterval(60))
        let left = try Self.leftRunning(parts, folder)

        parts.supervisor.reserveUnfinished()
        #expect(parts.supervisor.isBusy("web"))
        #expect(throws: DeploymentError.busy(name: "web")) { try parts.supervisor.start(.down, on: "web", by: Self.root) }
        let log = try parts.supervisor.log(of: left.id)
        #expect(log.finishedRecord == nil)
        #expect(throws: DeploymentError.recovering(action: "left", deployment: "web")) { try parts.supervisor.cancel(left.id, by: 0) }
        #expect(parts.supervisor.runningCount == 1)  // an idle daemon does not exit meanwhile

        await parts.supervisor.recoverInterrupted()
        let finished = try #require(log.finishedRecord)
        #expect(finished.note == "interrupted: testbedd stopped while it ran")
        #expect(finished.finishedAtIsApproximate == true)
        #expect(finished.finishedAt == Self.started.addingTimeInterval(60))
        #expect(try parts.registry.get("web").state == .failed(.up(.init())))
        #expect(!parts.supervisor.isBusy("web"))
        #expect(try String(contentsOfFile: left.logPath, encoding: .utf8).hasSuffix("testbedd: action interrupted: testbedd stopped while it ran\n"))
    }

    @Test func aDeploymentStaysHeldWhileAnyOfItsLeftActionsIsUndecided() async throws {
        let folder = try TemporaryFolder()
        // The first is gone at once; whether the second still runs takes two more seconds to learn.
        let launcher = ScriptedLauncher(reattachments: [.gone, .unknown, .unknown, .gone])
        let parts = try Self.parts(folder, launcher: launcher, clock: Self.started.addingTimeInterval(60))
        let first = try Self.leftRunning(parts, folder)
        var second = first
        second.id = "second"
        try parts.registry.record(second)
        parts.supervisor.reserveUnfinished()

        let recovery = Task { await parts.supervisor.recoverInterrupted() }
        while (try? parts.registry.action(first.id))?.isFinished != true { try await Task.sleep(for: .milliseconds(10)) }
        let held = parts.supervisor.isBusy("web")
        let secondDecided = try parts.registry.action(second.id).isFinished
        if !secondDecided { #expect(held, "the deployment was freed while one of its actions was still undecided") }
        await recovery.value
        #expect(try parts.registry.action(second.id).isFinished)
        #expect(!parts.supervisor.isBusy("web"))
    }

    @Test func aReattachedUnitIsRecordedWithTheEndItReportsNotWhenTestbeddNoticed() async throws {
        let folder = try TemporaryFolder()
        let ended = Self.started.addingTimeInterval(2)
        let process = ScriptedProcess(reportedExit: ended)
        let parts = try Self.parts(
            folder, launcher: ScriptedLauncher(process: process, reattachments: [.running(process)]),
            clock: Self.started.addingTimeInterval(60))
        let left = try Self.leftRunning(parts, folder)
        parts.supervisor.reserveUnfinished()
        let log = try parts.supervisor.log(of: left.id)

        await parts.supervisor.recoverInterrupted()
        #expect(parts.supervisor.isBusy("web"))  // followed again, not finished
        process.end(.exited(0))
        let record = try await Self.waitUntilFinished(left.id, in: parts)
        #expect(record.finishedAt == ended)
        #expect(record.finishedAtIsApproximate == nil)
        #expect(record.endState == .up)
        // Its followers from before the decision see the same outcome.
        #expect(log.finishedRecord?.finishedAt == ended)
    }
}
