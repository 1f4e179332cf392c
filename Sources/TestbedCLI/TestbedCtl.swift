import ArgumentParser
import Dispatch

/// `testbedctl`: the command-line client of testbedd.
public struct TestbedCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "testbedctl",
        abstract: "Drive the TestbedOS daemon (testbedd).",
        discussion: """
            Exit codes: 0 success, 1 the daemon refused or failed the request (a deployment or action \
            not found included), 64 usage error, 69 the daemon cannot be reached or went away, 75 busy, \
            76 protocol version mismatch, 77 permission denied, 124 wait timed out, 130 Ctrl-C stopped \
            following. With --json, an error is one JSON object on stderr.
            """,
        version: TestbedCtl.version,
        subcommands: [
            StatusCommand.self, DeploymentGroup.self,
            UpCommand.self, DownCommand.self, SnapshotGroup.self, GenerateArtefactsCommand.self,
            ClearArtefactsCommand.self, TestbedSnapshotCommand.self,
            ActionsCommand.self, PsCommand.self, LogsCommand.self, CancelCommand.self, WaitCommand.self, EventsCommand.self, TopCommand.self,
            ClusterGroup.self, ConfigGroup.self, MetricsCommand.self, VersionCommand.self,
        ])

    /// testbedctl's version.
    public static let version = "0.1.0"

    public init() {}

    /// Parses `arguments` (the process's when nil) on the calling thread, then
    /// runs the chosen command and exits with its status. Help, versions and
    /// usage errors end here, before any thread or connection exists; only a
    /// command that runs starts the concurrency runtime's threads. Errors are
    /// printed by ArgumentParser, never as a trace.
    public static func start(_ arguments: [String]? = nil) -> Never {
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        let output = Output(json: arguments.prefix { $0 != "--" }.contains("--json"))
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(GlobalOptions.hoisted(arguments))
        } catch {
            let status = exitCode(for: error)
            if status != .success, let problem = CommandSuggestion.problem(in: arguments, root: Self.self) {
                output.report(CLIError(problem, status: ExitStatus.usage))
            }
            guard output.json, status != .success else { exit(withError: error) }
            output.report(CLIError(message(for: error), status: status.rawValue))
        }
        let parsed = ParsedCommand(command)
        Task.detached { await run(parsed, output) }
        dispatchMain()
    }

    /// Runs the command; its errors end here, the one place they are printed
    /// (as a line, or with --json as one JSON object on stderr).
    private static func run(_ parsed: ParsedCommand, _ output: Output) async -> Never {
        do {
            var command = parsed.command
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit()
        } catch let error as CLIError {
            output.report(error)
        } catch {
            exit(withError: error)
        }
    }

    /// A parsed command handed from the parsing thread to the task that runs
    /// it; nothing else ever touches it.
    private struct ParsedCommand: @unchecked Sendable {
        let command: any ParsableCommand
        init(_ command: any ParsableCommand) { self.command = command }
    }
}
