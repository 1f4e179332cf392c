import TestbedProtocol

/// What a create, delete or restore command does with its target.
protocol SnapshotKind {
    static var word: String { get }
    static var abstract: String { get }
    static func command(_ target: SnapshotCommand.SnapshotTarget) -> SnapshotCommand
}

enum CreateKind: SnapshotKind {
    static let word = "create"
    static let abstract = "Snapshot a guest (--name G --snapshot S) or every guest (--all)."
    static func command(_ target: SnapshotCommand.SnapshotTarget) -> SnapshotCommand { .create(target) }
}

enum DeleteKind: SnapshotKind {
    static let word = "delete"
    static let abstract = "Delete a guest's snapshot (--name G --snapshot S) or every snapshot (--all)."
    static func command(_ target: SnapshotCommand.SnapshotTarget) -> SnapshotCommand { .delete(target) }
}

enum RestoreKind: SnapshotKind {
    static let word = "restore"
    static let abstract = "Restore a guest's snapshot (--name G --snapshot S) or every guest (--all)."
    static func command(_ target: SnapshotCommand.SnapshotTarget) -> SnapshotCommand { .restore(target) }
}
