import ArgumentParser
import TestbedProtocol

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

/// `snapshot create|delete|restore [NAME] (--name G --snapshot S | --all)`.
struct SnapshotTargetCommand<Kind: SnapshotKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Kind.word, abstract: Kind.abstract)
    }

    @OptionGroup var target: DeploymentTarget
    @Option(name: .long, help: "The guest.") var name: String?
    @Option(name: .long, help: "The snapshot.") var snapshot: String?
    @Flag(name: .long, help: "Every guest.") var all = false
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all && (name != nil || snapshot != nil) { throw ValidationError("give either --all or --name and --snapshot, not both") }
        if !all && (name == nil || snapshot == nil) { throw ValidationError("give --name GUEST and --snapshot SNAPSHOT, or --all") }
    }

    func run() async throws {
        let command = Kind.command(.init(name: name, snapshot: snapshot, all: all))
        try await action.run(RPCMethod.deploymentSnapshot, verb: "snapshot \(Kind.word)", target: target, global: global) {
            SnapshotParams(name: $0, snapshot: command, follow: $1)
        }
    }
}

/// `snapshot info [NAME] --name G`.
struct SnapshotInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a guest's snapshots.")

    @OptionGroup var target: DeploymentTarget
    @Option(name: .long, help: "The guest.") var name: String
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let guest = name
        try await action.run(RPCMethod.deploymentSnapshot, verb: "snapshot info", target: target, global: global) {
            SnapshotParams(name: $0, snapshot: .info(name: guest), follow: $1)
        }
    }
}

/// `snapshot list [NAME] (--name G | --all)`.
struct SnapshotList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a guest's or every guest's snapshots.")

    @OptionGroup var target: DeploymentTarget
    @Option(name: .long, help: "The guest.") var name: String?
    @Flag(name: .long, help: "Every guest.") var all = false
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all == (name != nil) { throw ValidationError("give either --name GUEST or --all") }
    }

    func run() async throws {
        let (guest, all) = (name, self.all)
        try await action.run(RPCMethod.deploymentSnapshot, verb: "snapshot list", target: target, global: global) {
            SnapshotParams(name: $0, snapshot: .list(name: guest, all: all), follow: $1)
        }
    }
}
