import Foundation
import GRDB
import TestbedProtocol

/// Deployments in a SQLite database (`<state_dir>/testbedos.sqlite`), WAL mode,
/// `synchronous=FULL` so a committed write survives a power cut.
public struct SQLiteDeploymentStore: DeploymentStore {
    public let kind = StoreKind.sqlite
    /// The database file.
    public let path: String
    private let database: DatabasePool

    /// Opens (creating and migrating if needed) the database under `stateDirectory`.
    public init(stateDirectory: String) throws {
        try AtomicFile.makeFolder(stateDirectory, mode: 0o755)
        self.path = stateDirectory + "/testbedos.sqlite"
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw StoreError("cannot open the SQLite store \(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
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
        // Existing rows keep NULL: deployments made before creation ids were kept,
        // whose actions (without one either) still belong to them.
        migrator.registerMigration("v4-creation-id") { db in
            try db.alter(table: "deployments") { table in table.add(column: "creation_id", .text) }
        }
        return migrator
    }

    public func loadAll() throws -> StoreLoadResult {
        let rows = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM deployments ORDER BY name") }
        var result = StoreLoadResult(deployments: [])
        let decoder = JSONCoding.sharedDecoder
        // Every name with a row, readable or not.
        var recorded: Set<String> = []
        for row in rows {
            let name: String = row["name"]
            recorded.insert(name)
            do {
                let stateJSON: String = row["state"]
                let createdText: String = row["created_at"]
                guard let created = JSONCoding.parseTime(createdText) else {
                    throw StoreError("created_at \"\(createdText)\" is not an ISO-8601 time")
                }
                result.deployments.append(Deployment(
                    name: name,
                    projectLocation: row["project_location"],
                    state: try decoder.decode(DeploymentState.self, from: Data(stateJSON.utf8)),
                    lastActionUUID: row["last_action_uuid"],
                    createdAt: created,
                    ownerUID: (row["owner_uid"] as Int64?).map { UInt32($0) },
                    creationID: row["creation_id"]))
            } catch {
                result.problems.append("\(path): deployment \"\(name)\" skipped, its row cannot be read: \(error)")
            }
        }
        let actionRows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, deployment, record FROM actions ORDER BY deployment, id")
        }
        let loaded = Set(result.deployments.map(\.name))
        for row in actionRows {
            let id: String = row["id"], deployment: String = row["deployment"], json: String = row["record"]
            // Rows of an unreadable deployment stay out of reach, untouched; rows of a
            // deployment with no row at all are loaded, for the registry to remove.
            guard loaded.contains(deployment) || !recorded.contains(deployment) else { continue }
            do {
                var record = try decoder.decode(ActionRecord.self, from: Data(json.utf8))
                // The columns say where a row is filed, and so what removes it.
                record.id = id
                record.deployment = deployment
                result.actions.append(record)
            } catch {
                result.problems.append("\(path): action \(id) of \"\(deployment)\" skipped, its row cannot be read: \(error)")
            }
        }
        return result
    }

    public func saveActions(_ records: [ActionRecord], of name: String) throws {
        let encoder = JSONCoding.shared
        let rows = try records.map { ($0.id, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        try database.write { db in
            let keep = Set(rows.map(\.0))
            let stored = try String.fetchAll(db, sql: "SELECT id FROM actions WHERE deployment = ?", arguments: [name])
            for id in stored where !keep.contains(id) {
                try db.execute(sql: "DELETE FROM actions WHERE id = ?", arguments: [id])
            }
            for (id, json) in rows {
                try db.execute(
                    sql: "INSERT INTO actions (id, deployment, record) VALUES (?, ?, ?) "
                        + "ON CONFLICT(id) DO UPDATE SET deployment = excluded.deployment, record = excluded.record",
                    arguments: [id, name, json])
            }
        }
    }

    public func save(_ deployment: Deployment) throws {
        let state = String(decoding: try JSONCoding.shared.encode(deployment.state), as: UTF8.self)
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO deployments (name, project_location, state, last_action_uuid, created_at, owner_uid, creation_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET
                        project_location = excluded.project_location, state = excluded.state,
                        last_action_uuid = excluded.last_action_uuid, created_at = excluded.created_at,
                        owner_uid = excluded.owner_uid, creation_id = excluded.creation_id
                    """,
                arguments: [
                    deployment.name, deployment.projectLocation, state, deployment.lastActionUUID,
                    JSONCoding.formatTime(deployment.createdAt), deployment.ownerUID.map { Int64($0) },
                    deployment.creationID,
                ])
        }
    }

    public func delete(name: String) throws {
        // One transaction: the history and the record go together or not at all.
        try database.write { db in
            try db.execute(sql: "DELETE FROM actions WHERE deployment = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM deployments WHERE name = ?", arguments: [name])
        }
    }

    public func deleteActions(of name: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM actions WHERE deployment = ?", arguments: [name])
        }
    }
}
