import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl events`: the daemon's changes as they happen, like
/// `docker events` and `incus monitor`, until interrupted.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the daemon's changes as they happen.",
        discussion: """
            Deployments created, destroyed or changing state; actions starting and ending; cluster members \
            joining, evicted or changing health. With --json, one JSON object per line. Each event has a number \
            and the id of the daemon run it belongs to; give both (--since, --boot-id) to get what you missed, \
            which testbedd keeps in memory for its last 4096 events. If this command reads too slowly and is \
            dropped, it reconnects from the last event it printed.
            """)

    @Option(help: ArgumentHelp("Start after this event (with --boot-id): missed events come first.", valueName: "number"))
    var since: UInt64?

    @Option(name: .customLong("boot-id"), help: ArgumentHelp("The daemon run that --since counts in.", valueName: "id"))
    var bootID: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (since == nil) == (bootID == nil) else {
            throw ValidationError("give --since and --boot-id together (both from the last event you saw), or neither")
        }
    }

    func run() async throws {
        let json = global.json
        try await global.withSession { (session) throws(CLIError) in
            var watch = try EventWatch.start(session, since: since.map { ($0, bootID!) })
            while true {
                let change: DaemonEvent
                do throws(CLIError) {
                    change = try await watch.next()
                } catch where error.status == ExitStatus.unavailable {
                    let from = watch.resume.map { " with --since \($0.since) --boot-id \($0.bootID)" } ?? ""
                    throw CLIError("testbedd went away (\(error.message)); watch again\(from) once it is back", status: error.status)
                }
                if json { global.output.line(EventJSON(change)) } else { StandardStream.output.write(EventLine.describe(change) + "\n") }
            }
        }
    }
}
