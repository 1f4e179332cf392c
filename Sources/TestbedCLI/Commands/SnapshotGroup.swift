import ArgumentParser

/// `testbedctl snapshot create|delete|info|list|restore ...`.
struct SnapshotGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Create, delete, inspect, list and restore guest snapshots.",
        subcommands: [
            SnapshotTargetCommand<CreateKind>.self, SnapshotTargetCommand<DeleteKind>.self,
            SnapshotInfo.self, SnapshotList.self, SnapshotTargetCommand<RestoreKind>.self,
        ])
}
