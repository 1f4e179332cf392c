import Foundation
import NIOConcurrencyHelpers
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
    /// Where every change is announced, in the order changes are made.
    public let events: EventHub

    private struct State {
        var deployments: [String: Deployment] = [:] {
            didSet {
                encoded.removeAll(keepingCapacity: true)
                encodedList = nil
                sorted = nil
                generation &+= 1
            }
        }
        /// Each deployment's JSON, made when first asked for after a change: `deployment.get` serves these bytes.
        var encoded: [String: Data] = [:]
        /// `deployment.list`'s answer, made when first asked for after a change.
        var encodedList: Data?
        /// Every deployment sorted by name, made when first asked for after a change: pages are cut from it.
        var sorted: [Deployment]?
        /// Counts changes to `deployments`, so an encoding made outside the lock is kept only if none came meanwhile.
        var generation = 0
        /// Action records by deployment, then by id.
        var actions: [String: [String: ActionRecord]] = [:]
        /// The deployment of each action id.
        var actionOwners: [String: String] = [:]
    }

    private let state: Locked<State>
    /// Held for the whole of a mutation, disk write included.
    private let writer = NIOLock()

    /// Loads every deployment from `store`. An action record attaches to its
    /// deployment only when both carry the same creation id (or, written before
    /// creation ids were kept, neither does). Any other stored history (one
    /// whose deployment is gone, or left by an earlier deployment of the same
    /// name) is removed with its log files and reported in `loadProblems`, so
    /// that it can never reach a deployment made later under that name.
    public init(store: any DeploymentStore, clock: any WallClock = SystemClock(), events: EventHub? = nil) throws {
        let loaded = try store.loadAll()
        var state = State()
        var problems = loaded.problems
        for deployment in loaded.deployments { state.deployments[deployment.name] = deployment }
        var stale: [String: [ActionRecord]] = [:]
        for action in loaded.actions {
            if let deployment = state.deployments[action.deployment], Self.belongs(action, to: deployment) {
                state.actions[action.deployment, default: [:]][action.id] = action
                state.actionOwners[action.id] = action.deployment
            } else {
                stale[action.deployment, default: []].append(action)
            }
        }
        let keptLogs = Set(state.actions.values.flatMap { $0.values.map(\.logPath) })
        for (name, records) in stale.sorted(by: { $0.key < $1.key }) {
            problems.append(Self.removeStale(
                records, of: name, current: state.deployments[name], keeping: Array((state.actions[name] ?? [:]).values),
                sparing: keptLogs, in: store))
        }
        self.store = store
        self.clock = clock
        self.events = events ?? EventHub(clock: clock)
        self.loadProblems = problems
        self.state = Locked(state)
    }

    /// True when `action` was recorded for this incarnation of `deployment`.
    static func belongs(_ action: ActionRecord, to deployment: Deployment) -> Bool {
        action.deployment == deployment.name && action.deploymentCreationID == deployment.creationID
    }

    /// Removes stale records of `name` (log files first, then the history,
    /// keeping `kept` when the deployment exists) and says what was done.
    private static func removeStale(
        _ records: [ActionRecord], of name: String, current: Deployment?, keeping kept: [ActionRecord],
        sparing: Set<String>, in store: any DeploymentStore
    ) -> String {
        let count = records.count == 1 ? "1 action" : "\(records.count) actions"
        let what: String
        if let current {
            let theirs = Set(records.map { $0.deploymentCreationID ?? "none" }).sorted().joined(separator: ", ")
            what = "deployment \"\(name)\": found \(count) of an earlier deployment of that name "
                + "(creation id \(theirs), not \(current.creationID ?? "none"))"
        } else {
            what = "deployment \"\(name)\" no longer exists, but its history of \(count) was left behind (a destroy was cut short)"
        }
        do {
            let removed = try ActionLogFiles.remove(records, sparing: sparing)
            if current == nil {
                try store.deleteActions(of: name)
            } else {
                try store.saveActions(kept.sorted(by: chronological), of: name)
            }
            let files = removed.isEmpty ? "" : " with their log files \(removed.joined(separator: ", "))"
            return "\(what); removed those records\(files)"
        } catch {
            return "\(what); they are ignored, but could not be removed (the next start tries again): \(error)"
        }
    }

    // MARK: Reads, from memory

    /// The deployment named `name`.
    public func get(_ name: String) throws(DeploymentError) -> Deployment {
        try Self.checkName(name)
        guard let deployment = state.withLock({ $0.deployments[name] }) else { throw .notFound(name: name) }
        return deployment
    }

    /// The deployment named `name` as JSON, encoded once per change.
    public func encoded(_ name: String) throws(DeploymentError) -> Data {
        try Self.checkName(name)
        let found = state.withLock { state -> Data? in
            if let json = state.encoded[name] { return json }
            guard let deployment = state.deployments[name], let json = try? JSONCoding.shared.encode(deployment) else { return nil }
            state.encoded[name] = json
            return json
        }
        guard let found else { throw .notFound(name: name) }
        return found
    }

    /// Every deployment, sorted by name, as `deployment.list`'s JSON, encoded
    /// once per change: a client polling the list costs a copy, not an encoding.
    public func encodedList() throws(DeploymentError) -> Data {
        let (cached, generation) = state.withLock { ($0.encodedList, $0.generation) }
        if let cached { return cached }
        // Sorted once per change, shared with the pages (a later change's list is returned, not kept).
        guard let json = try? JSONCoding.shared.encode(DeploymentList(deployments: list())) else {
            throw .storage("the daemon could not encode the deployment list")
        }
        state.withLock { state in
            if state.generation == generation { state.encodedList = json }
        }
        return json
    }

    /// Every deployment, sorted by name (sorted once per change).
    public func list() -> [Deployment] {
        let (cached, deployments, generation) = state.withLock { state in
            (state.sorted, state.sorted == nil ? Array(state.deployments.values) : [], state.generation)
        }
        if let cached { return cached }
        let sorted = deployments.sorted { $0.name < $1.name }
        state.withLock { state in
            if state.generation == generation { state.sorted = sorted }
        }
        return sorted
    }

    /// `page(after:limit:matching:)` as `deployment.list`'s JSON, made of each
    /// deployment's JSON as `deployment.get` serves it (encoded once per
    /// change), so a page costs copies, not an encoding.
    public func encodedPage(after: String?, limit: Int?, matching: (Deployment) -> Bool) throws(DeploymentError) -> Data {
        let page = page(after: after, limit: limit, matching: matching)
        var json = Data()
        json.reserveCapacity(page.deployments.count * 256 + 64)
        json.append(contentsOf: #"{"deployments":["#.utf8)
        for (index, deployment) in page.deployments.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(try encoded(deployment))
        }
        json.append(UInt8(ascii: "]"))
        if let next = page.next {
            guard let name = try? JSONCoding.shared.encode(next) else { throw .storage("the daemon could not encode a page") }
            json.append(contentsOf: #","next":"#.utf8)
            json.append(name)
        }
        json.append(UInt8(ascii: "}"))
        return json
    }

    /// `deployment`'s JSON: the cached one while it is the current record, else encoded now.
    private func encoded(_ deployment: Deployment) throws(DeploymentError) -> Data {
        if let cached = state.withLock({ $0.deployments[deployment.name] == deployment ? $0.encoded[deployment.name] : nil }) {
            return cached
        }
        guard let json = try? JSONCoding.shared.encode(deployment) else { throw .storage("the daemon could not encode a page") }
        state.withLock { state in
            if state.deployments[deployment.name] == deployment { state.encoded[deployment.name] = json }
        }
        return json
    }

    /// Up to `limit` deployments whose names sort after `after` and that
    /// `matching` accepts, in name order, with the `next` to continue from when
    /// more remain.
    public func page(after: String?, limit: Int?, matching: (Deployment) -> Bool) -> DeploymentList {
        let all = list()
        var start = 0
        if let after {
            // The first name after `after`, by binary search.
            var (low, high) = (0, all.count)
            while low < high {
                let middle = (low + high) / 2
                if all[middle].name <= after { low = middle + 1 } else { high = middle }
            }
            start = low
        }
        var page: [Deployment] = []
        let limit = limit ?? Int.max
        var index = start
        while index < all.count {
            let deployment = all[index]
            index += 1
            guard matching(deployment) else { continue }
            if page.count == limit {
                return DeploymentList(deployments: page, next: page.last?.name)
            }
            page.append(deployment)
        }
        return DeploymentList(deployments: page)
    }

    /// How many deployments there are.
    public var count: Int { state.withLock { $0.deployments.count } }

    /// The actions of deployment `name`, oldest first.
    public func actions(of name: String) throws(DeploymentError) -> [ActionRecord] {
        _ = try get(name)
        return state.withLock { Array(($0.actions[name] ?? [:]).values) }.sorted(by: Self.chronological)
    }

    /// The action with id `id`, if it belongs to the current deployment of its
    /// name: never one recorded for an earlier deployment of the same name.
    public func action(_ id: String) throws(DeploymentError) -> ActionRecord {
        let found = state.withLock { state -> ActionRecord? in
            guard let owner = state.actionOwners[id], let deployment = state.deployments[owner],
                let record = state.actions[owner]?[id], Self.belongs(record, to: deployment)
            else { return nil }
            return record
        }
        guard let found else { throw .actionNotFound(id: id) }
        return found
    }

    /// The deployment `action` was recorded for: never a later deployment
    /// made under the same name.
    public func deployment(of action: ActionRecord) throws(DeploymentError) -> Deployment {
        let deployment = try get(action.deployment)
        guard Self.belongs(action, to: deployment) else { throw .actionNotFound(id: action.id) }
        return deployment
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
    public func create(name: String, projectLocation: String, owner: UInt32? = nil) throws(DeploymentError) -> Deployment {
        try Self.checkName(name)
        return try serialized { () throws(DeploymentError) in
            if let existing = state.withLock({ $0.deployments[name] }) {
                throw .alreadyExists(name: name, project: existing.projectLocation)
            }
            let location: String
            do throws(ProjectLocation.Problem) {
                location = try ProjectLocation.validate(projectLocation, owner: owner)
            } catch {
                throw .project(error)
            }
            let createdAt = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
            let deployment = Deployment(
                name: name, projectLocation: location, state: .down, createdAt: createdAt, ownerUID: owner,
                creationID: UUID().uuidString.lowercased())
            try persist(deployment)
            events.publish(.deploymentCreated) { event in
                event.deployment = name
                event.owner = owner
                event.state = deployment.state
            }
            return deployment
        }
    }

    /// Applies `change` to the deployment named `name` and stores the result.
    /// `change` runs while mutations are serialized, so its checks of the
    /// current state cannot race another caller's change; what it throws
    /// leaves everything as it was and reaches the caller.
    @discardableResult
    public func update(_ name: String, _ change: (inout Deployment) throws -> Void) throws -> Deployment {
        try Self.checkName(name)
        return try serialized { () throws in
            guard var deployment = state.withLock({ $0.deployments[name] }) else { throw DeploymentError.notFound(name: name) }
            let before = deployment
            try change(&deployment)
            try persist(deployment)
            announceState(before, deployment)
            return deployment
        }
    }

    /// Records `action` (new or changed) and, when `change` is given, applies it
    /// to the action's deployment: history first, then the deployment, so the
    /// deployment never points at an action that is not stored. The action must
    /// carry the deployment's creation id: an action of an earlier deployment of
    /// the same name is refused.
    @discardableResult
    public func record(
        _ action: ActionRecord, updating change: ((inout Deployment) throws -> Void)? = nil
    ) throws -> Deployment {
        let name = action.deployment
        try Self.checkName(name)
        return try serialized { () throws in
            guard var deployment = state.withLock({ $0.deployments[name] }) else { throw DeploymentError.notFound(name: name) }
            var history = state.withLock { $0.actions[name] ?? [:] }
            guard Self.belongs(action, to: deployment) else {
                throw DeploymentError.earlierDeployment(action: action.id, name: name)
            }
            let before = deployment
            let earlier = history[action.id]
            try change?(&deployment)
            history[action.id] = action
            try persistActions(history, of: name)
            if change != nil { try persist(deployment) }
            announce(action, was: earlier, owner: deployment.ownerUID)
            announceState(before, deployment)
            return deployment
        }
    }

    /// Removes actions `ids` of deployment `name` from the history.
    public func forgetActions(_ ids: Set<String>, of name: String) throws(DeploymentError) {
        guard !ids.isEmpty else { return }
        try serialized { () throws(DeploymentError) in
            guard var history = state.withLock({ $0.actions[name] }) else { return }
            for id in ids { history.removeValue(forKey: id) }
            try persistActions(history, of: name)
        }
    }

    /// Removes the deployment named `name` after `check` accepts its current
    /// record, with its action history and their log files; returns that
    /// history as it was. The log files go first, then the history, then the
    /// record: a crash at any point leaves the deployment for another destroy
    /// to finish, never a history or a log file that nothing owns.
    @discardableResult
    public func remove(_ name: String, if check: (Deployment) throws -> Void) throws -> [ActionRecord] {
        try Self.checkName(name)
        return try serialized { () throws in
            guard let deployment = state.withLock({ $0.deployments[name] }) else { throw DeploymentError.notFound(name: name) }
            try check(deployment)
            let history = state.withLock { Array(($0.actions[name] ?? [:]).values) }
            do {
                _ = try ActionLogFiles.remove(history)
                try store.delete(name: name)
            } catch {
                throw DeploymentError.storage("could not remove deployment \"\(name)\": \(error); destroy it again once that is fixed")
            }
            state.withLock { state in
                state.deployments.removeValue(forKey: name)
                state.actions.removeValue(forKey: name)
                for action in history { state.actionOwners.removeValue(forKey: action.id) }
            }
            events.publish(.deploymentDestroyed) { event in
                event.deployment = name
                event.owner = deployment.ownerUID
                event.previousState = deployment.state
            }
            return history
        }
    }

    /// A `deployment.state` event when the state changed.
    private func announceState(_ before: Deployment, _ after: Deployment) {
        guard before.state != after.state else { return }
        events.publish(.deploymentState) { event in
            event.deployment = after.name
            event.owner = after.ownerUID
            event.previousState = before.state
            event.state = after.state
        }
    }

    /// `action.started` for a new record, `action.ended` once it is finished.
    private func announce(_ action: ActionRecord, was earlier: ActionRecord?, owner: UInt32?) {
        func describe(_ event: inout DaemonEvent) {
            event.deployment = action.deployment
            event.owner = owner
            event.actionID = action.id
            event.command = action.command
            event.startedBy = action.startedBy
        }
        if earlier == nil { events.publish(.actionStarted, describe) }
        if action.isFinished, earlier?.isFinished != true {
            events.publish(.actionEnded) { event in
                describe(&event)
                event.outcome = ActionOutcome(action)
                event.durationSeconds = action.finishedAt.map { $0.timeIntervalSince(action.executionTime) }
            }
        }
    }

    private func persist(_ deployment: Deployment) throws(DeploymentError) {
        do {
            try store.save(deployment)
        } catch {
            throw .storage("could not save deployment \"\(deployment.name)\": \(error); nothing was changed")
        }
        state.withLock { $0.deployments[deployment.name] = deployment }
    }

    private func persistActions(_ history: [String: ActionRecord], of name: String) throws(DeploymentError) {
        do {
            try store.saveActions(history.values.sorted(by: Self.chronological), of: name)
        } catch {
            throw .storage("could not save the action history of \"\(name)\": \(error); nothing was changed")
        }
        state.withLock { state in
            for id in (state.actions[name] ?? [:]).keys where history[id] == nil {
                state.actionOwners.removeValue(forKey: id)
            }
            for id in history.keys { state.actionOwners[id] = name }
            state.actions[name] = history
        }
    }

    private func serialized<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        writer.lock()
        defer { writer.unlock() }
        return try body()
    }

    static func checkName(_ name: String) throws(DeploymentError) {
        if let problem = DeploymentName.problem(with: name) { throw .invalidName(problem: problem) }
    }
}
