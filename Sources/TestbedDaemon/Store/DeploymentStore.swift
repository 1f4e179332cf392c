import TestbedProtocol

/// Durable storage of deployment records. Implementations make every write
/// atomic and durable: after a crash at any instant a record is either the old
/// one or the new one, never torn. Callers serialize mutations (see
/// `DeploymentRegistry`); implementations need not.
public protocol DeploymentStore: Sendable {
    /// Which implementation this is, as named in the configuration.
    var kind: StoreKind { get }

    /// Every stored deployment, plus a description of each record that could not be read.
    func loadAll() throws -> StoreLoadResult

    /// Writes `deployment`, replacing any record of the same name.
    func save(_ deployment: Deployment) throws

    /// Removes the record named `name` and everything stored with it (its action
    /// history). Removing a record that does not exist is not an error.
    func delete(name: String) throws

    /// Writes the action history of deployment `name`: `records` is the whole
    /// history after the change, replacing what was stored.
    func saveActions(_ records: [ActionRecord], of name: String) throws
}

/// What `DeploymentStore.loadAll` found.
public struct StoreLoadResult: Sendable {
    public var deployments: [Deployment]
    /// The action histories of those deployments.
    public var actions: [ActionRecord]
    /// One sentence per record that was skipped because it could not be read.
    public var problems: [String]

    public init(deployments: [Deployment], actions: [ActionRecord] = [], problems: [String] = []) {
        self.deployments = deployments
        self.actions = actions
        self.problems = problems
    }
}
