import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The contract every `DeploymentStore` keeps, run against each implementation.
@Suite struct StoreContractTests {
    static func open(_ kind: StoreKind, _ folder: String) throws -> any DeploymentStore {
        switch kind {
        case .file: try FileDeploymentStore(stateDirectory: folder)
        case .sqlite: try SQLiteDeploymentStore(stateDirectory: folder)
        }
    }

    static let allStates: [DeploymentState] = [
        .up, .down, .running,
        .failed(.down), .failed(.generateArtefacts), .failed(.clearArtefacts),
        .failed(.up(.init(provision: true, rerunScripts: false, reapplyAcl: true))),
        .failed(.snapshot(.create(.init(name: "g", snapshot: "s", all: false)))),
        .failed(.snapshot(.delete(.init(all: true)))),
        .failed(.snapshot(.restore(.init(name: "g", snapshot: "s")))),
        .failed(.snapshot(.info(name: "g"))),
        .failed(.snapshot(.list(name: nil, all: true))),
        .failed(.testbedSnapshot(snapshotGuests: true)),
    ]

    static func deployment(_ name: String, _ state: DeploymentState = .down, creationID: String? = nil) -> Deployment {
        Deployment(
            name: name, projectLocation: "/srv/\(name)", state: state,
            lastActionUUID: state == .down ? nil : "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            createdAt: Date(timeIntervalSince1970: 1_764_000_000),
            ownerUID: state == .down ? nil : 1000,
            creationID: creationID)
    }

    static func action(_ id: String, of deployment: String, creationID: String?) -> ActionRecord {
        var record = ActionRecord(
            id: id, deployment: deployment, command: .down, logPath: "/var/log/\(id).log",
            executionTime: Date(timeIntervalSince1970: 1_764_000_000), startedBy: 1000, deploymentCreationID: creationID)
        record.finishedAt = record.executionTime
        record.errorCode = 0
        return record
    }

    @Test(arguments: StoreKind.allCases)
    func emptyStoreLoadsNothing(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let loaded = try Self.open(kind, folder.path).loadAll()
        #expect(loaded.deployments.isEmpty)
        #expect(loaded.problems.isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func everyStateSurvivesAReopen(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let written = Self.allStates.enumerated().map { Self.deployment("d\($0.offset)", $0.element) }
        do {
            let store = try Self.open(kind, folder.path)
            for deployment in written { try store.save(deployment) }
        }
        let loaded = try Self.open(kind, folder.path).loadAll()
        #expect(loaded.problems.isEmpty)
        #expect(loaded.deployments.sorted { $0.name < $1.name } == written.sorted { $0.name < $1.name })
    }

    @Test(arguments: StoreKind.allCases)
    func saveReplacesTheRecordOfTheSameName(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let store = try Self.open(kind, folder.path)
        try store.save(Self.deployment("web"))
        try store.save(Self.deployment("web", .up))
        let loaded = try Self.open(kind, folder.path).loadAll().deployments
        #expect(loaded == [Self.deployment("web", .up)])
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesOnlyThatRecordAndIsIdempotent(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let store = try Self.open(kind, folder.path)
        try store.save(Self.deployment("a"))
        try store.save(Self.deployment("b"))
        try store.delete(name: "a")
        try store.delete(name: "a")
        try store.delete(name: "never-existed")
        #expect(try Self.open(kind, folder.path).loadAll().deployments.map(\.name) == ["b"])
    }

    @Test(arguments: StoreKind.allCases)
    func creationIDsSurviveAReopen(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let id = UUID().uuidString.lowercased()
        let deployment = Self.deployment("web", creationID: id)
        let actions = [Self.action("a", of: "web", creationID: id), Self.action("b", of: "web", creationID: nil)]
        do {
            let store = try Self.open(kind, folder.path)
            try store.save(deployment)
            try store.saveActions(actions, of: "web")
        }
        let loaded = try Self.open(kind, folder.path).loadAll()
        #expect(loaded.deployments == [deployment])
        #expect(loaded.actions.sorted { $0.id < $1.id } == actions)
    }

    @Test(arguments: StoreKind.allCases)
    func aHistoryWithoutItsRecordIsLoadedSoItCanBeRemoved(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let store = try Self.open(kind, folder.path)
        let orphan = Self.action("a", of: "gone", creationID: nil)
        try store.saveActions([orphan], of: "gone")
        #expect(try store.loadAll().actions == [orphan])
        try store.deleteActions(of: "gone")
        try store.deleteActions(of: "gone")
        #expect(try Self.open(kind, folder.path).loadAll().actions.isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func deleteActionsLeavesTheRecord(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let store = try Self.open(kind, folder.path)
        try store.save(Self.deployment("web"))
        try store.saveActions([Self.action("a", of: "web", creationID: nil)], of: "web")
        try store.deleteActions(of: "web")
        let loaded = try Self.open(kind, folder.path).loadAll()
        #expect(loaded.deployments == [Self.deployment("web")])
        #expect(loaded.actions.isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesTheHistoryToo(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let store = try Self.open(kind, folder.path)
        try store.save(Self.deployment("web"))
        try store.saveActions([Self.action("a", of: "web", creationID: nil)], of: "web")
        try store.delete(name: "web")
        let loaded = try Self.open(kind, folder.path).loadAll()
        #expect(loaded.deployments.isEmpty)
        #expect(loaded.actions.isEmpty)
    }
}
