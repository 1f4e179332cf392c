import TestbedProtocol

/// Durable storage of deployment records. Implementations make every write
/// atomic and durable: after a crash at any instant a record is either the old
/// one or the new one, never torn. Callers serialize mutations (see
/// `DeploymentRegistry`); implementations need not.
public protocol DeploymentStore: Sendable {
    /// Which implementation this is, as named in the configuration.
    var kind: StoreKind { get }

    /// Every stored deployment and action record, plus a description of each
    /// record that could not be read.
    func loadAll() throws -> StoreLoadResult

    /// Writes `deployment`, replacing any record of the same name.
    func save(_ deployment: Deployment) throws

    /// Removes the record named `name` and everything stored with it (its action
    /// history): the history first, so a crash in between leaves a record
    /// without a history, never a history without its record. Removing a
    /// record that does not exist is not an error.
    func delete(name: String) throws

    /// Writes the action history of deployment `name`: `records` is the whole
    /// history after the change, replacing what was stored.
    func saveActions(_ records: [ActionRecord], of name: String) throws

    /// Removes the action history stored under `name`, and only that: a
    /// history whose deployment is gone. Removing none is not an error.
    func deleteActions(of name: String) throws
}
