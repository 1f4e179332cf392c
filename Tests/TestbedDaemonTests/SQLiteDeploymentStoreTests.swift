import Foundation
import GRDB
import Testing
import TestbedProtocol
@testable import TestbedDaemon

@Suite struct SQLiteDeploymentStoreTests {
    @Test func usesWALMode() throws {
        let folder = try TemporaryFolder()
        _ = try SQLiteDeploymentStore(stateDirectory: folder.path)
        let mode = try DatabaseQueue(path: folder.path + "/testbedos.sqlite").read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        #expect(mode == "wal")
    }

    @Test func anUnreadableRowIsReportedAndSkipped() throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("good"))
        try DatabaseQueue(path: folder.path + "/testbedos.sqlite").write { db in
            try db.execute(sql: """
                INSERT INTO deployments (name, project_location, state, created_at)
                VALUES ('broken', '/srv/broken', '"sideways"', '2025-11-24T16:00:00Z')
                """)
        }
        let loaded = try store.loadAll()
        #expect(loaded.deployments.map(\.name) == ["good"])
        #expect(loaded.problems.count == 1)
        #expect(loaded.problems.first?.contains("broken") == true)
    }
}
