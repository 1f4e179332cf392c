import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// What only the file store promises: the original layout, crash leftovers
/// cleaned up, unreadable records reported rather than fatal.
@Suite struct FileDeploymentStoreTests {
    @Test func recordsUseTheOriginalLayout() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("web"))
        let path = folder.path + "/deployments/web.json"
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(object?["name"] as? String == "web")
        #expect(object?["project_location"] as? String == "/srv/web")
        #expect(object?["state"] as? String == "down")
        #expect(object?["created_at"] as? String == "2025-11-24T16:00:00Z")
        #expect(object?.keys.contains("last_action_uuid") == true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/deployments")
        #expect(leftovers == ["web.json"])
    }

    @Test func aWriteThatFailsLeavesTheOldRecord() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("web"))
        // A real failure, even as root: the records folder is replaced by a file,
        // so the temporary file cannot be created.
        let records = folder.path + "/deployments"
        try FileManager.default.moveItem(atPath: records, toPath: records + ".moved")
        try Data().write(to: URL(fileURLWithPath: records))
        #expect(throws: StoreError.self) { try store.save(StoreContractTests.deployment("web", .up)) }
        try FileManager.default.removeItem(atPath: records)
        try FileManager.default.moveItem(atPath: records + ".moved", toPath: records)
        #expect(try store.loadAll().deployments == [StoreContractTests.deployment("web")])
    }

    @Test func aTemporaryFileLeftByACrashIsRemovedAndTheRecordKept() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("web"))
        let torn = folder.path + "/deployments/" + AtomicFile.temporaryPrefix + "web.json.abc123"
        try Data(#"{"name":"web","proj"#.utf8).write(to: URL(fileURLWithPath: torn))
        let loaded = try store.loadAll()
        #expect(loaded.deployments == [StoreContractTests.deployment("web")])
        #expect(loaded.problems.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: torn))
    }

    @Test func unreadableRecordsAreReportedAndSkipped() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("good"))
        let records = folder.path + "/deployments/"
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: records + "corrupt.json"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: records + "bad name.json"))
        let misnamed = try JSONCoding.shared.encode(StoreContractTests.deployment("other"))
        try misnamed.write(to: URL(fileURLWithPath: records + "misnamed.json"))
        try Data(#"{"logs":{}}"#.utf8).write(to: URL(fileURLWithPath: records + "good-logs.json"))
        let loaded = try store.loadAll()
        #expect(loaded.deployments.map(\.name) == ["good"])
        #expect(loaded.problems.count == 3)
        #expect(loaded.problems.contains { $0.contains("corrupt.json") })
        #expect(loaded.problems.contains { $0.contains("misnamed.json") && $0.contains("\"other\"") })
    }

    @Test func deleteRemovesTheLogIndexToo() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("web"))
        let index = folder.path + "/deployments/web-logs.json"
        try Data(#"{"logs":{}}"#.utf8).write(to: URL(fileURLWithPath: index))
        try store.delete(name: "web")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/deployments").isEmpty)
    }

    @Test func anInvalidNameNeverBecomesAPath() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        #expect(throws: StoreError.self) { try store.save(StoreContractTests.deployment("../escape")) }
        #expect(throws: StoreError.self) { try store.delete(name: "../escape") }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/escape.json"))
    }

    @Test func aDestroyCutShortLeavesTheRecordNeverTheHistory() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("web"))
        try store.saveActions([StoreContractTests.action("a", of: "web", creationID: nil)], of: "web")
        // The record cannot be removed (a folder that is not empty stands in its
        // place): the history must be gone already.
        let record = folder.path + "/deployments/web.json"
        try FileManager.default.removeItem(atPath: record)
        try FileManager.default.createDirectory(atPath: record + "/x", withIntermediateDirectories: true)
        #expect(throws: StoreError.self) { try store.delete(name: "web") }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/deployments/web-logs.json"))
        #expect(FileManager.default.fileExists(atPath: record))
    }

    @Test func theHistoryOfAnUnreadableRecordIsLeftAlone() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.saveActions([StoreContractTests.action("a", of: "web", creationID: nil)], of: "web")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: folder.path + "/deployments/web.json"))
        let loaded = try store.loadAll()
        #expect(loaded.actions.isEmpty)
        let registry = try DeploymentRegistry(store: store)
        #expect(registry.loadProblems.count == 1)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/deployments/web-logs.json"))
    }

    @Test func aCreationIDIsWrittenOnlyWhenThereIsOne() throws {
        let folder = try TemporaryFolder()
        let store = try FileDeploymentStore(stateDirectory: folder.path)
        try store.save(StoreContractTests.deployment("old"))
        try store.save(StoreContractTests.deployment("new", creationID: "0b3c8f2e-5d1a-4c7e-9f00-123456789abc"))
        func object(_ name: String) throws -> [String: Any]? {
            let path = folder.path + "/deployments/\(name).json"
            return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        }
        #expect(try object("old")?.keys.contains("creation_id") == false)
        #expect(try object("new")?["creation_id"] as? String == "0b3c8f2e-5d1a-4c7e-9f00-123456789abc")
    }
}
