import CoreMetrics
import TestbedProtocol

/// A store whose writes are timed (`testbed_store_write_seconds`): what each
/// change waits for on disk.
struct TimedDeploymentStore: DeploymentStore {
    let base: any DeploymentStore
    let timer: CoreMetrics.Timer

    init(_ base: any DeploymentStore, timer: CoreMetrics.Timer) {
        self.base = base
        self.timer = timer
    }

    var kind: StoreKind { base.kind }

    func loadAll() throws -> StoreLoadResult { try base.loadAll() }

    func save(_ deployment: Deployment) throws { try timed { try base.save(deployment) } }

    func delete(name: String) throws { try timed { try base.delete(name: name) } }

    func saveActions(_ records: [ActionRecord], of name: String) throws { try timed { try base.saveActions(records, of: name) } }

    func deleteActions(of name: String) throws { try timed { try base.deleteActions(of: name) } }

    private func timed(_ write: () throws -> Void) throws {
        let start = ContinuousClock.now
        defer { timer.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        try write()
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
