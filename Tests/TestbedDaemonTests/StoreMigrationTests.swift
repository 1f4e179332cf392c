import Foundation
import GRDB
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// A SQLite database written before creation ids were kept opens, gains the
/// column, and keeps its deployments with their histories.
@Suite struct StoreMigrationTests {
    /// The schema as the store made it up to migration v3.
    static func makeVersion3Database(at path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-deployments") { db in
            try db.create(table: "deployments") { table in
                table.primaryKey("name", .text)
                table.column("project_location", .text).notNull()
                table.column("state", .text).notNull()
                table.column("last_action_uuid", .text)
                table.column("created_at", .text).notNull()
            }
        }
        migrator.registerMigration("v2-actions") { db in
            try db.create(table: "actions") { table in
                table.primaryKey("id", .text)
                table.column("deployment", .text).notNull().indexed()
                table.column("record", .text).notNull()
            }
        }
        migrator.registerMigration("v3-owner") { db in
            try db.alter(table: "deployments") { table in table.add(column: "owner_uid", .integer) }
        }
        let database = try DatabaseQueue(path: path)
        try migrator.migrate(database)
        // An action record as the daemon wrote it then: no deployment_creation_id.
        let record = #"{"cancelled_by":null,"command":"down","deployment":"lab","end_state":"down","error_code":0,"execution_time":"2025-11-24T16:00:00Z","finished_at":"2025-11-24T16:00:01Z","id":"a-1","log_path":"/nowhere/a-1.log","note":null,"pid":null,"pid_start_time":null,"previous_state":null,"signal":null,"started_by":1000}"#
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO deployments (name, project_location, state, last_action_uuid, created_at, owner_uid)
                VALUES ('lab', '/srv/lab', '"down"', 'a-1', '2025-11-24T16:00:00Z', 1000)
                """)
            try db.execute(sql: "INSERT INTO actions (id, deployment, record) VALUES ('a-1', 'lab', ?)", arguments: [record])
        }
    }

    @Test func aVersion3DatabaseKeepsItsDeploymentsAndHistories() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/testbedos.sqlite"
        try Self.makeVersion3Database(at: path)

        let registry = try DeploymentRegistry(store: SQLiteDeploymentStore(stateDirectory: folder.path))
        #expect(registry.loadProblems.isEmpty)
        let lab = try registry.get("lab")
        #expect(lab.creationID == nil)
        #expect(lab.ownerUID == 1000)
        #expect(try registry.actions(of: "lab").map(\.id) == ["a-1"])
        #expect(try registry.action("a-1").deploymentCreationID == nil)

        let columns = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(deployments)").map { $0["name"] as String }
        }
        #expect(columns.contains("creation_id"))

        // A deployment made now keeps its creation id across a reopen.
        let made = try registry.create(name: "web", projectLocation: try folder.project())
        let reopened = try DeploymentRegistry(store: SQLiteDeploymentStore(stateDirectory: folder.path))
        #expect(try reopened.get("web").creationID == made.creationID)
        #expect(try reopened.actions(of: "lab").map(\.id) == ["a-1"])
    }
}
