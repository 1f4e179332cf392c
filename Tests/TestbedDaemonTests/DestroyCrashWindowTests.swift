import Foundation
import GRDB
import Logging
import NIOPosix
import Testing
import TestbedProtocol
@testable import TestbedDaemon
#if canImport(Glibc)
import Glibc
#endif

/// A destroy cut short by a crash, and histories of an earlier deployment of
/// the same name: start-up removes them with their log files, and none of it
/// ever reaches a deployment made later under that name. Run with both stores.
@Suite struct DestroyCrashWindowTests {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    static func registry(_ folder: TemporaryFolder, _ kind: StoreKind) throws -> DeploymentRegistry {
        try DeploymentRegistry(store: StoreContractTests.open(kind, folder.path), clock: FixedClock(instant: now))
    }

    static func logFolder(_ folder: TemporaryFolder) throws -> String {
        let path = folder.path + "/logs/orchestration"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A finished action of `deployment` (of the incarnation `creationID`) whose log file holds 64 lines.
    static func action(
        _ id: String, of deployment: String, creationID: String?, in folder: TemporaryFolder
    ) throws -> ActionRecord {
        let path = try logFolder(folder) + "/\(id)-\(deployment).log"
        let lines = (1...64).map { "\(deployment) secret line \($0)\n" }.joined()
        try Data(lines.utf8).write(to: URL(fileURLWithPath: path))
        var record = ActionRecord(
            id: id, deployment: deployment, command: .up(.init()), logPath: path, executionTime: now,
            startedBy: 64_001, deploymentCreationID: creationID)
        record.finishedAt = now
        record.errorCode = 0
        record.endState = .up
        return record
    }

    /// What a crash between the two removals of the old destroy left: the
    /// history without its record.
    static func removeOnlyTheRecord(_ name: String, _ kind: StoreKind, in folder: TemporaryFolder) throws {
        switch kind {
        case .file:
            try FileManager.default.removeItem(atPath: folder.path + "/deployments/\(name).json")
        case .sqlite:
            try DatabaseQueue(path: folder.path + "/testbedos.sqlite").write { db in
                try db.execute(sql: "DELETE FROM deployments WHERE name = ?", arguments: [name])
            }
        }
    }

    /// Files `records` under `name` behind the registry's back: through the file
    /// store, or by SQL into the database.
    static func plant(_ records: [ActionRecord], under name: String, _ kind: StoreKind, in folder: TemporaryFolder) throws {
        switch kind {
        case .file:
            let store = try FileDeploymentStore(stateDirectory: folder.path)
            let stored = try store.loadAll().actions.filter { $0.deployment == name }
            try store.saveActions(stored + records, of: name)
        case .sqlite:
            try DatabaseQueue(path: folder.path + "/testbedos.sqlite").write { db in
                for record in records {
                    try db.execute(
                        sql: "INSERT INTO actions (id, deployment, record) VALUES (?, ?, ?)",
                        arguments: [record.id, name, String(decoding: try JSONCoding.shared.encode(record), as: UTF8.self)])
                }
            }
        }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// A supervisor over `registry`, to ask for logs the way `action.logs` does.
    static func supervisor(_ registry: DeploymentRegistry, _ folder: TemporaryFolder) throws -> (ActionSupervisor, NIOThreadPool) {
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = folder.path
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let supervisor = try ActionSupervisor(
            registry: registry, launcher: ChildProcessLauncher(), watcher: LogWatcher(),
            configuration: configuration, blockingPool: pool, logger: Logger(label: "test"))
        return (supervisor, pool)
    }

    @Test(arguments: StoreKind.allCases)
    func anOrphanHistoryIsRemovedAtStartAndNeverReachesTheNextDeploymentOfItsName(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        var old: [ActionRecord] = []
        do {
            let registry = try Self.registry(folder, kind)
            let alice = try registry.create(name: "lab", projectLocation: try folder.project("alice"), owner: 0)
            for id in ["a-1", "a-2"] {
                let record = try Self.action(id, of: "lab", creationID: alice.creationID, in: folder)
                try registry.record(record) { $0.lastActionUUID = record.id }
                old.append(record)
            }
        }
        try Self.removeOnlyTheRecord("lab", kind, in: folder)

        // Start-up removes the orphan and its log files, and says so.
        let restarted = try Self.registry(folder, kind)
        #expect(restarted.loadProblems.count == 1)
        let problem = restarted.loadProblems.first ?? ""
        #expect(problem.contains("\"lab\"") && problem.contains("cut short"), "\(problem)")
        for record in old {
            #expect(problem.contains(record.logPath), "\(problem)")
            #expect(!Self.exists(record.logPath))
        }
        #expect(try StoreContractTests.open(kind, folder.path).loadAll().actions.isEmpty)
        if kind == .file { #expect(!Self.exists(folder.path + "/deployments/lab-logs.json")) }

        // Bob makes the name again: nothing of alice's, now or after another start.
        let bob = try restarted.create(name: "lab", projectLocation: try folder.project("bob"), owner: 0)
        #expect(try restarted.actions(of: "lab").isEmpty)
        let reopened = try Self.registry(folder, kind)
        #expect(reopened.loadProblems.isEmpty)
        #expect(try reopened.get("lab") == bob)
        #expect(try reopened.actions(of: "lab").isEmpty)
        let (supervisor, pool) = try Self.supervisor(reopened, folder)
        defer { try? pool.syncShutdownGracefully() }
        for record in old {
            #expect(throws: DeploymentError.actionNotFound(id: record.id)) { try reopened.action(record.id) }
            #expect(throws: DeploymentError.actionNotFound(id: record.id)) { try supervisor.log(of: record.id) }
            #expect(throws: DeploymentError.actionNotFound(id: record.id)) { try supervisor.cancel(record.id, by: 0) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func actionsOfAnEarlierDeploymentOfTheSameNameAreDroppedAtLoad(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let current: ActionRecord
        let stale = try Self.action("stale", of: "lab", creationID: UUID().uuidString.lowercased(), in: folder)
        let legacy = try Self.action("legacy", of: "lab", creationID: nil, in: folder)
        do {
            let registry = try Self.registry(folder, kind)
            let deployment = try registry.create(name: "lab", projectLocation: try folder.project(), owner: 0)
            current = try Self.action("current", of: "lab", creationID: deployment.creationID, in: folder)
            try registry.record(current)
        }
        try Self.plant([stale, legacy], under: "lab", kind, in: folder)

        let registry = try Self.registry(folder, kind)
        #expect(try registry.actions(of: "lab") == [current])
        #expect(Self.exists(current.logPath))
        for record in [stale, legacy] {
            #expect(throws: DeploymentError.actionNotFound(id: record.id)) { try registry.action(record.id) }
            #expect(!Self.exists(record.logPath))
        }
        #expect(registry.loadProblems.count == 1)
        let problem = registry.loadProblems.first ?? ""
        #expect(problem.contains("earlier deployment") && problem.contains(stale.deploymentCreationID!), "\(problem)")

        // Removed from the store too: the next start finds nothing to report.
        let reopened = try Self.registry(folder, kind)
        #expect(reopened.loadProblems.isEmpty)
        #expect(try reopened.actions(of: "lab") == [current])
        #expect(try StoreContractTests.open(kind, folder.path).loadAll().actions == [current])
    }

    @Test(arguments: StoreKind.allCases)
    func aLegacyHistoryAttachesOnlyToALegacyDeployment(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let store = try StoreContractTests.open(kind, folder.path)
        let legacyDeployment = StoreContractTests.deployment("old")
        let newDeployment = StoreContractTests.deployment("new", creationID: UUID().uuidString.lowercased())
        try store.save(legacyDeployment)
        try store.save(newDeployment)
        let kept = try Self.action("kept", of: "old", creationID: nil, in: folder)
        let dropped = try Self.action("dropped", of: "new", creationID: nil, in: folder)
        try store.saveActions([kept], of: "old")
        try store.saveActions([dropped], of: "new")

        let registry = try Self.registry(folder, kind)
        #expect(try registry.actions(of: "old") == [kept])
        #expect(try registry.action("kept") == kept)
        #expect(try registry.actions(of: "new").isEmpty)
        #expect(Self.exists(kept.logPath))
        #expect(!Self.exists(dropped.logPath))
        #expect(registry.loadProblems.count == 1)
        #expect(registry.loadProblems.first?.contains("\"new\"") == true)
    }

    @Test(arguments: StoreKind.allCases)
    func aDestroyRemovesTheLogsAndALateWriteOfAnOldActionIsRefused(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder, kind)
        let first = try registry.create(name: "lab", projectLocation: try folder.project("a"), owner: 0)
        var running = try Self.action("running", of: "lab", creationID: first.creationID, in: folder)
        running.finishedAt = nil
        try registry.record(running)
        try registry.remove("lab") { _ in }
        #expect(!Self.exists(running.logPath))

        let second = try registry.create(name: "lab", projectLocation: try folder.project("b"), owner: 0)
        #expect(second.creationID != nil && second.creationID != first.creationID)
        // The old action's outcome, written late, does not land on the new deployment.
        running.finishedAt = Self.now
        #expect(throws: DeploymentError.earlierDeployment(action: "running", name: "lab")) { try registry.record(running) }
        #expect(try registry.actions(of: "lab").isEmpty)
        #expect(throws: DeploymentError.actionNotFound(id: "running")) { try registry.action("running") }
        #expect(try Self.registry(folder, kind).actions(of: "lab").isEmpty)
    }

    @Test func aDestroyThatFailsHasRemovedTheLogsBeforeAnyRecord() throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder, .file)
        let deployment = try registry.create(name: "lab", projectLocation: try folder.project(), owner: 0)
        let record = try Self.action("a-1", of: "lab", creationID: deployment.creationID, in: folder)
        try registry.record(record)
        // The record cannot be unlinked: it has become a folder that is not empty.
        let recordPath = folder.path + "/deployments/lab.json"
        try FileManager.default.removeItem(atPath: recordPath)
        try FileManager.default.createDirectory(atPath: recordPath + "/x", withIntermediateDirectories: true)

        let error = #expect(throws: DeploymentError.self) { try registry.remove("lab") { _ in } }
        guard case .storage(let sentence) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(sentence.contains("destroy it again"))
        #expect(!Self.exists(record.logPath))
        #expect(!Self.exists(folder.path + "/deployments/lab-logs.json"))
    }
}
