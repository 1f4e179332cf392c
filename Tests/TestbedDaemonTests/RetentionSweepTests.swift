import Foundation
import Logging
import NIOPosix
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The retention sweep, on real files with a fixed clock.
@Suite struct RetentionSweepTests {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// A registry with deployment "web" and a supervisor over it, for `configure`d settings.
    static func supervisor(
        _ folder: TemporaryFolder, _ configure: (inout DaemonConfiguration) -> Void
    ) throws -> (DeploymentRegistry, ActionSupervisor, NIOThreadPool) {
        let registry = try DeploymentRegistry(
            store: FileDeploymentStore(stateDirectory: folder.path), clock: FixedClock(instant: now))
        _ = try registry.create(name: "web", projectLocation: try folder.project())
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = folder.path
        configure(&configuration)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let supervisor = try ActionSupervisor(
            registry: registry, launcher: ChildProcessLauncher(), watcher: LogWatcher(),
            configuration: configuration, blockingPool: pool, logger: Logger(label: "test"))
        return (registry, supervisor, pool)
    }

    @Test func removesOldAndExcessLogsButNeverTheLastAction() throws {
        let folder = try TemporaryFolder()
        let (registry, supervisor, pool) = try Self.supervisor(folder) {
            $0.logRetentionDays = 7
            $0.logKeepActions = 3
        }
        defer { try? pool.syncShutdownGracefully() }

        // Six finished actions, one a day ago, two a month ago, newest last; and the
        // month-old one is the deployment's last action.
        let ages: [Double] = [40, 30, 5, 3, 2, 1]
        var ids: [String] = []
        for (index, days) in ages.enumerated() {
            let path = supervisor.logFolder + "/a\(index).log"
            try Data("line\n".utf8).write(to: URL(fileURLWithPath: path))
            var record = ActionRecord(
                id: "id-\(index)", deployment: "web", command: .down, logPath: path,
                executionTime: Self.now.addingTimeInterval(-days * 86_400), startedBy: 0,
                deploymentCreationID: try registry.get("web").creationID)
            record.finishedAt = record.executionTime.addingTimeInterval(60)
            record.errorCode = 0
            try registry.record(record)
            ids.append(record.id)
        }
        try registry.update("web") { $0.lastActionUUID = "id-1" }

        supervisor.sweepLogs()

        let kept = try registry.actions(of: "web").map(\.id)
        // id-0 is too old; id-2 falls beyond the newest three (id-3, id-4, id-5);
        // id-1 is too old but is the last action, so it stays.
        #expect(kept == ["id-1", "id-3", "id-4", "id-5"])
        for (index, id) in ids.enumerated() {
            #expect(FileManager.default.fileExists(atPath: supervisor.logFolder + "/a\(index).log") == kept.contains(id))
        }
        // The history on disk agrees.
        let reopened = try DeploymentRegistry(store: FileDeploymentStore(stateDirectory: folder.path))
        #expect(try reopened.actions(of: "web").map(\.id) == kept)
    }

    @Test func anUnfinishedActionIsNeverSwept() throws {
        let folder = try TemporaryFolder()
        let (registry, supervisor, pool) = try Self.supervisor(folder) { $0.logKeepActions = 1 }
        defer { try? pool.syncShutdownGracefully() }
        let running = ActionRecord(
            id: "running", deployment: "web", command: .up(.init()), logPath: supervisor.logFolder + "/r.log",
            executionTime: Self.now.addingTimeInterval(-30 * 86_400), startedBy: 0,
            deploymentCreationID: try registry.get("web").creationID)
        try registry.record(running)
        var newer = running
        newer.id = "newer"
        newer.executionTime = Self.now
        newer.finishedAt = Self.now
        try registry.record(newer)
        try registry.update("web") { $0.lastActionUUID = "newer" }
        supervisor.sweepLogs()
        #expect(try registry.actions(of: "web").map(\.id) == ["running", "newer"])
    }
}
