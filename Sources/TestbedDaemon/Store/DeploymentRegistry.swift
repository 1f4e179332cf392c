import Foundation
import Synchronization
import TestbedProtocol

/// The deployments and their action histories as the daemon serves them: reads
/// come from memory, on the thread that asks, without waiting for a disk;
/// mutations are serialized, go to the store first, and reach memory only once
/// they are durable, so a failed write changes nothing. Mutations block on disk
/// I/O: run them off the event loop.
public final class DeploymentRegistry: Sendable {
    /// The store behind the registry.
    public let store: any DeploymentStore
    /// Records the store could not read at start-up, one sentence each.
    public let loadProblems: [String]
    let clock: any WallClock

    private struct State {
        var deployments: [String: Deployment] = [:] {
            didSet { encoded.removeAll(keepingCapacity: true) }
        }
        /// Each deployment's JSON, made when first asked for after a change: `deployment.get` serves these bytes.
        var encoded: [String: Data] = [:]
        /// Action records by deployment, then by id.
        var actions: [String: [String: ActionRecord]] = [:]
        /// The deployment of each action id.
        var actionOwners: [String: String] = [:]
    }

    private let state: Mutex<State>
    /// Held for the whole of a mutation, disk write included.
    private let writer = Mutex<Void>(())

    public init(store: any DeploymentStore, clock: any WallClock = SystemClock()) throws {
        let loaded = try store.loadAll()
        var state = State()
        for deployment in loaded.deployments { state.deployments[deployment.name] = deployment }
        for action in loaded.actions where state.deployments[action.deployment] != nil {
            state.actions[action.deployment, default: [:]][action.id] = action
            state.actionOwners[action.id] = action.deployment
        }
        self.store = store
        self.clock = clock
        self.loadProblems = loaded.problems
        self.state = Mutex(state)
    }

    // MARK: Reads, from memory

    /// The deployment named `name`.
    public func get(_ name: String) throws(RPCError) -> Deployment {
        try Self.checkName(name)
        guard let deployment = state.withLock({ $0.deployments[name] }) else { throw Self.notFound(name) }
        return deployment
    }

    /// The deployment named `name` as JSON, encoded once per change.
    public func encoded(_ name: String) throws(RPCError) -> Data {
        try Self.checkName(name)
        let found = state.withLock { state -> Data? in
            if let json = state.encoded[name] { return json }
            guard let deployment = state.deployments[name], let json = try? JSONCoding.shared.encode(deployment) else { return nil }
            state.encoded[name] = json
            return json
        }
        guard let found else { throw Self.notFound(name) }
        return found
    }

    /// Every deployment, sorted by name.
    public func list() -> [Deployment] {
        state.withLock { Array($0.deployments.values) }.sorted { $0.name < $1.name }
    }

    /// How many deployments there are.
    public var count: Int { state.withLock { $0.deployments.count } }

    /// The actions of deployment `name`, oldest first.
    public func actions(of name: String) throws(RPCError) -> [ActionRecord] {
        _ = try get(name)
        return state.withLock { Array(($0.actions[name] ?? [:]).values) }.sorted(by: Self.chronological)
    }

    /// The action with id `id`.
    public func action(_ id: String) throws(RPCError) -> ActionRecord {
        let found = state.withLock { state -> ActionRecord? in
            guard let owner = state.actionOwners[id] else { return nil }
            return state.actions[owner]?[id]
        }
        guard let found else {
            throw RPCError(.notFound, "no action with id \"\(id)\"; `testbedctl actions NAME` lists a deployment's actions")
        }
        return found
    }

    /// Every action not yet finished, across deployments.
    public func unfinishedActions() -> [ActionRecord] {
        state.withLock { $0.actions.values.flatMap(\.values) }.filter { !$0.isFinished }.sorted(by: Self.chronological)
    }

    static func chronological(_ a: ActionRecord, _ b: ActionRecord) -> Bool {
        (a.executionTime, a.id) < (b.executionTime, b.id)
    }

    // MARK: Mutations, serialized and durable

    /// Creates a `down` deployment owned by `owner`; the project folder must
    /// hold `kvm-compose.yaml` and, when `owner` is given, belong to that uid.
    public func create(name: String, projectLocation: String, owner: UInt32? = nil) throws(RPCError) -> Deployment {
        try Self.checkName(name)
        return try serialized { () throws(RPCError) in
            if let existing = state.withLock({ $0.deployments[name] }) {
                throw RPCError(
                    .alreadyExists,
                    "a deployment named \"\(name)\" already exists (project \(existing.projectLocation)); choose another name",
                    data: .object(["field": .string("name")]))
            }
            let location = try ProjectLocation.validate(projectLocation, owner: owner)
            let createdAt = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
            let deployment = Deployment(
                name: name, projectLocation: location, state: .down, createdAt: createdAt, ownerUID: owner)
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
            guard var deployment = state.withLock({ $0.deployments[name] }) else { throw Self.notFound(name) }
            try change(&deployment)
            try persist(deployment)
            return deployment
        }
    }

    /// Records `action` (new or changed) and, when `change` is given, applies it
    /// to the action's deployment: history first, then the deployment, so the
    /// deployment never points at an action that is not stored.
    @discardableResult
    public func record(
        _ action: ActionRecord, updating change: ((inout Deployment) throws(RPCError) -> Void)? = nil
    ) throws(RPCError) -> Deployment {
        let name = action.deployment
        try Self.checkName(name)
        return try serialized { () throws(RPCError) in
            guard var deployment = state.withLock({ $0.deployments[name] }) else { throw Self.notFound(name) }
            try change?(&deployment)
            var history = state.withLock { $0.actions[name] ?? [:] }
            history[action.id] = action
            try persistActions(history, of: name)
            if change != nil { try persist(deployment) }
            return deployment
        }
    }

    /// Removes actions `ids` of deployment `name` from the history.
    public func forgetActions(_ ids: Set<String>, of name: String) throws(RPCError) {
        guard !ids.isEmpty else { return }
        try serialized { () throws(RPCError) in
            guard var history = state.withLock({ $0.actions[name] }) else { return }
            for id in ids { history.removeValue(forKey: id) }
            try persistActions(history, of: name)
        }
    }

    /// Removes the deployment named `name` after `check` accepts its current
    /// record; returns its action history as it was.
    @discardableResult
    public func remove(_ name: String, if check: (Deployment) throws(RPCError) -> Void) throws(RPCError) -> [ActionRecord] {
        try Self.checkName(name)
        return try serialized { () throws(RPCError) in
            guard let deployment = state.withLock({ $0.deployments[name] }) else { throw Self.notFound(name) }
            try check(deployment)
            do {
                try store.delete(name: name)
            } catch {
                throw RPCError(.internalError, "could not remove deployment \"\(name)\": \(error)")
            }
            return state.withLock { state in
                state.deployments.removeValue(forKey: name)
                let history = state.actions.removeValue(forKey: name) ?? [:]
                for id in history.keys { state.actionOwners.removeValue(forKey: id) }
                return Array(history.values)
            }
        }
    }

    private func persist(_ deployment: Deployment) throws(RPCError) {
        do {
            try store.save(deployment)
        } catch {
            throw RPCError(.internalError, "could not save deployment \"\(deployment.name)\": \(error); nothing was changed")
        }
        state.withLock { $0.deployments[deployment.name] = deployment }
    }

    private func persistActions(_ history: [String: ActionRecord], of name: String) throws(RPCError) {
        do {
            try store.saveActions(history.values.sorted(by: Self.chronological), of: name)
        } catch {
            throw RPCError(.internalError, "could not save the action history of \"\(name)\": \(error); nothing was changed")
        }
        state.withLock { state in
            for id in (state.actions[name] ?? [:]).keys where history[id] == nil {
                state.actionOwners.removeValue(forKey: id)
            }
            for id in history.keys { state.actionOwners[id] = name }
            state.actions[name] = history
        }
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
