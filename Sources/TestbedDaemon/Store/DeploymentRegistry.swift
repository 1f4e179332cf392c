import Foundation
import Synchronization
import TestbedProtocol

/// The deployments as the daemon serves them: reads come from memory, on the
/// thread that asks, without waiting for a disk; mutations are serialized, go
/// to the store first, and reach memory only once they are durable, so a failed
/// write changes nothing. Mutations block on disk I/O: run them off the event loop.
public final class DeploymentRegistry: Sendable {
    /// The store behind the registry.
    public let store: any DeploymentStore
    /// Records the store could not read at start-up, one sentence each.
    public let loadProblems: [String]
    private let clock: any WallClock
    private let cache: Mutex<[String: Deployment]>
    /// Held for the whole of a mutation, disk write included.
    private let writer = Mutex<Void>(())

    public init(store: any DeploymentStore, clock: any WallClock = SystemClock()) throws {
        let loaded = try store.loadAll()
        self.store = store
        self.clock = clock
        self.loadProblems = loaded.problems
        self.cache = Mutex(Dictionary(loaded.deployments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The deployment named `name`.
    public func get(_ name: String) throws(RPCError) -> Deployment {
        try Self.checkName(name)
        guard let deployment = cache.withLock({ $0[name] }) else { throw Self.notFound(name) }
        return deployment
    }

    /// Every deployment, sorted by name.
    public func list() -> [Deployment] {
        cache.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    /// How many deployments there are.
    public var count: Int { cache.withLock { $0.count } }

    /// Creates a `down` deployment; the project folder must hold `kvm-compose.yaml`.
    public func create(name: String, projectLocation: String) throws(RPCError) -> Deployment {
        try Self.checkName(name)
        return try serialized { () throws(RPCError) in
            if let existing = cache.withLock({ $0[name] }) {
                throw RPCError(
                    .alreadyExists,
                    "a deployment named \"\(name)\" already exists (project \(existing.projectLocation)); choose another name",
                    data: .object(["field": .string("name")]))
            }
            let location = try ProjectLocation.validate(projectLocation)
            let createdAt = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
            let deployment = Deployment(name: name, projectLocation: location, state: .down, createdAt: createdAt)
            try persist(deployment)
            return deployment
        }
    }

    /// Applies `change` to the deployment named `name` and stores the result.
    /// `change` runs while mutations are serialized, so its checks of the
    /// current state cannot race another caller's change.
    @discardableResult
    public func update(
        _ name: String, _ change: (inout Deployment) throws(RPCError) -> Void
    ) throws(RPCError) -> Deployment {
        try Self.checkName(name)
        return try serialized { () throws(RPCError) in
            guard var deployment = cache.withLock({ $0[name] }) else { throw Self.notFound(name) }
            try change(&deployment)
            try persist(deployment)
            return deployment
        }
    }

    /// Removes the deployment named `name` after `check` accepts its current record.
    public func remove(_ name: String, if check: (Deployment) throws(RPCError) -> Void) throws(RPCError) {
        try Self.checkName(name)
        try serialized { () throws(RPCError) in
            guard let deployment = cache.withLock({ $0[name] }) else { throw Self.notFound(name) }
            try check(deployment)
            do {
                try store.delete(name: name)
            } catch {
                throw RPCError(.internalError, "could not remove deployment \"\(name)\": \(error)")
            }
            _ = cache.withLock { $0.removeValue(forKey: name) }
        }
    }

    private func persist(_ deployment: Deployment) throws(RPCError) {
        do {
            try store.save(deployment)
        } catch {
            throw RPCError(.internalError, "could not save deployment \"\(deployment.name)\": \(error); nothing was changed")
        }
        cache.withLock { $0[deployment.name] = deployment }
    }

    private func serialized<T>(_ body: () throws(RPCError) -> T) throws(RPCError) -> T {
        try writer.withLock { _ throws(RPCError) in try body() }
    }

    static func checkName(_ name: String) throws(RPCError) {
        if let problem = DeploymentName.problem(with: name) { throw .invalidParams(field: "name", problem) }
    }

    static func notFound(_ name: String) -> RPCError {
        RPCError(.notFound, "no deployment named \"\(name)\"; `testbedctl deployment list` shows the deployments")
    }
}
