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
        return migrator
    }

    public func loadAll() throws -> StoreLoadResult {
        let rows = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM deployments ORDER BY name") }
        var result = StoreLoadResult(deployments: [])
        let decoder = JSONCoding.decoder()
        for row in rows {
            let name: String = row["name"]
            do {
                let stateJSON: String = row["state"]
                let createdText: String = row["created_at"]
                guard let created = ISO8601DateFormatter().date(from: createdText) else {
                    throw StoreError("created_at \"\(createdText)\" is not an ISO-8601 time")
                }
                result.deployments.append(Deployment(
                    name: name,
                    projectLocation: row["project_location"],
                    state: try decoder.decode(DeploymentState.self, from: Data(stateJSON.utf8)),
                    lastActionUUID: row["last_action_uuid"],
                    createdAt: created))
            } catch {
                result.problems.append("\(path): deployment \"\(name)\" skipped, its row cannot be read: \(error)")
            }
        }
        return result
    }

    public func save(_ deployment: Deployment) throws {
        let state = String(decoding: try JSONCoding.encoder().encode(deployment.state), as: UTF8.self)
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO deployments (name, project_location, state, last_action_uuid, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET
                        project_location = excluded.project_location, state = excluded.state,
                        last_action_uuid = excluded.last_action_uuid, created_at = excluded.created_at
                    """,
                arguments: [
                    deployment.name, deployment.projectLocation, state, deployment.lastActionUUID,
                    ISO8601DateFormatter().string(from: deployment.createdAt),
                ])
        }
    }

    public func delete(name: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM deployments WHERE name = ?", arguments: [name])
        }
    }
}
