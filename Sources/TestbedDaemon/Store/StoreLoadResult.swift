import TestbedProtocol

/// What `DeploymentStore.loadAll` found.
public struct StoreLoadResult: Sendable {
    public var deployments: [Deployment]
    /// The stored action records: those of the deployments above, and those
    /// stored under a name that has no record at all (a destroy cut short),
    /// which the registry removes. The history of a record that could not be
    /// read is left out, and left alone.
    public var actions: [ActionRecord]
    /// One sentence per record that was skipped because it could not be read.
    public var problems: [String]

    public init(deployments: [Deployment], actions: [ActionRecord] = [], problems: [String] = []) {
        self.deployments = deployments
        self.actions = actions
        self.problems = problems
    }
}
