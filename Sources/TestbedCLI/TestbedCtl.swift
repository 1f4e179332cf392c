import ArgumentParser

/// `testbedctl`: the command-line client of testbedd.
public struct TestbedCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "testbedctl",
        abstract: "Drive the TestbedOS daemon (testbedd).",
        discussion: """
            Exit codes: 0 success, 1 the daemon refused or failed the request, 64 usage error, \
            69 the daemon cannot be reached, 75 busy, 76 protocol version mismatch, 77 permission denied.
            """,
        version: "0.1.0",
        subcommands: [
            StatusCommand.self, DeploymentGroup.self,
            UpCommand.self, DownCommand.self, SnapshotGroup.self, GenerateArtefactsCommand.self,
            ClearArtefactsCommand.self, TestbedSnapshotCommand.self,
            ActionsCommand.self, LogsCommand.self, CancelCommand.self,
            ClusterGroup.self, ConfigGroup.self,
        ])

    public init() {}

    /// Parses `arguments` (the process's when nil), runs the chosen command, and
    /// exits with its status. Errors are printed by ArgumentParser, never as a trace.
    public static func runAsRoot(_ arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(GlobalOptions.hoisted(arguments ?? Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit()
        } catch {
            exit(withError: error)
        }
    }
}
