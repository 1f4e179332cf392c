import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// A clock fixed at one instant, so records carry a known time.
struct FixedClock: WallClock {
    let instant: Date
    func now() -> Date { instant }
}

@Suite struct DeploymentRegistryTests {
    static let instant = Date(timeIntervalSince1970: 1_764_000_000.75)

    static func registry(_ folder: TemporaryFolder, kind: StoreKind = .file) throws -> DeploymentRegistry {
        try DeploymentRegistry(store: StoreContractTests.open(kind, folder.path), clock: FixedClock(instant: instant))
    }

    @Test(arguments: StoreKind.allCases)
    func createMakesADownDeploymentThatSurvivesARestart(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let project = try folder.project("web")
        let created = try Self.registry(folder, kind: kind).create(name: "web", projectLocation: project + "/./")
        #expect(created.state == .down)
        #expect(created.projectLocation == project)
        #expect(created.createdAt == Date(timeIntervalSince1970: 1_764_000_000))
        let reopened = try Self.registry(folder, kind: kind)
        #expect(try reopened.get("web") == created)
        #expect(reopened.list().map(\.name) == ["web"])
    }

    @Test func createRefusesATakenName() throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        _ = try registry.create(name: "web", projectLocation: try folder.project("a"))
        let error = #expect(throws: DeploymentError.self) {
            try registry.create(name: "web", projectLocation: try folder.project("b"))
        }
        guard case .alreadyExists(let name, let project) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(name == "web" && project.hasSuffix("/a"))
        #expect(try registry.get("web").projectLocation.hasSuffix("/a"))
    }

    @Test(arguments: [
        ("relative/path", "absolute"),
        ("", "empty"),
        ("/does/not/exist", "cannot be used"),
        ("/etc/hostname", "not a folder"),
        ("/tmp", "kvm-compose.yaml"),
    ])
    func createRefusesABadProjectLocation(location: String, expected: String) throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        let error = #expect(throws: DeploymentError.self) { try registry.create(name: "web", projectLocation: location) }
        guard case .project(let problem) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(!problem.isRefusal)
        #expect(problem.field == "project_location")
        #expect(problem.message.contains(expected), "\(problem.message)")
        #expect(registry.count == 0)
    }

    @Test(arguments: ["", "../x", "a/b", "x\u{0}y", "-x", "web-logs", String(repeating: "a", count: 64)])
    func everyEntryPointRefusesABadName(name: String) throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        let project = try folder.project()
        for attempt in [
            { _ = try registry.get(name) },
            { _ = try registry.create(name: name, projectLocation: project) },
            { try registry.update(name) { $0.state = .down } },
            { try registry.remove(name) { _ in } },
        ] as [() throws -> Void] {
            let error = #expect(throws: DeploymentError.self) { try attempt() }
            #expect(error == .invalidName(problem: DeploymentName.problem(with: name) ?? "-"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/deployments").isEmpty)
    }

    @Test func aCheckThatThrowsChangesNothing() throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        _ = try registry.create(name: "web", projectLocation: try folder.project())
        #expect(throws: RPCError.self) {
            try registry.update("web") { (deployment) throws(RPCError) in
                deployment.state = .up
                throw RPCError(.invalidState, "no")
            }
        }
        #expect(try registry.get("web").state == .down)
        #expect(try Self.registry(folder).get("web").state == .down)
    }

    @Test func aFailedWriteChangesNothingInMemory() throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        _ = try registry.create(name: "web", projectLocation: try folder.project())
        let records = folder.path + "/deployments"
        try FileManager.default.moveItem(atPath: records, toPath: records + ".moved")
        try Data().write(to: URL(fileURLWithPath: records))
        let error = #expect(throws: DeploymentError.self) { try registry.update("web") { $0.state = .up } }
        guard case .storage(let sentence) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(sentence.hasPrefix("could not save deployment \"web\"") && sentence.hasSuffix("nothing was changed"))
        #expect(try registry.get("web").state == .down)
    }

    @Test func concurrentCreatesOfOneNameHaveExactlyOneWinner() async throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        let project = try folder.project()
        let wins = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { (try? registry.create(name: "web", projectLocation: project)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func eachCreationOfANameHasItsOwnCreationID(kind: StoreKind) throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder, kind: kind)
        let first = try registry.create(name: "web", projectLocation: try folder.project())
        try registry.remove("web") { _ in }
        let second = try registry.create(name: "web", projectLocation: try folder.project())
        #expect(first.creationID.flatMap(UUID.init(uuidString:)) != nil)
        #expect(second.creationID.flatMap(UUID.init(uuidString:)) != nil)
        #expect(first.creationID != second.creationID)
        #expect(try Self.registry(folder, kind: kind).get("web").creationID == second.creationID)
    }

    @Test func anActionWithoutTheDeploymentsCreationIDIsNotRecorded() throws {
        let folder = try TemporaryFolder()
        let registry = try Self.registry(folder)
        _ = try registry.create(name: "web", projectLocation: try folder.project())
        #expect(throws: DeploymentError.earlierDeployment(action: "a", name: "web")) {
            try registry.record(StoreContractTests.action("a", of: "web", creationID: nil))
        }
        #expect(try registry.actions(of: "web").isEmpty)
    }
}
