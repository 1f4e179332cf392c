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

    static func deployment(_ name: String, _ state: DeploymentState = .down) -> Deployment {
        Deployment(
            name: name, projectLocation: "/srv/\(name)", state: state,
            lastActionUUID: state == .down ? nil : "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            createdAt: Date(timeIntervalSince1970: 1_764_000_000),
            ownerUID: state == .down ? nil : 1000)
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
}
