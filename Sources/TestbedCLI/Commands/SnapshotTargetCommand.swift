import ArgumentParser
import TestbedProtocol

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
