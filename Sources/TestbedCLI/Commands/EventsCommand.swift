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
        var resume = since.map { ($0, bootID!) }
        try await global.withSession { (session) throws(CLIError) in
            while true {
                let call: RPCCall
                do {
                    call = try session.connection.start(
                        RPCMethod.eventsWatch, params: EventsWatchParams(since: resume?.0, bootID: resume?.1))
                } catch {
                    throw DaemonSession.failure(error)
                }
                do {
                    for try await event in call.events {
                        guard case .chunk(let chunk) = event, case .event(let change) = chunk.content else { continue }
                        StandardStream.output.write(json ? Self.jsonLine(change) : EventLine.describe(change) + "\n")
                        resume = (change.seq, change.bootID)
                    }
                    return
                } catch let error as RPCError where error.code == .busy {
                    // Dropped for reading too slowly: carry on where the daemon says.
                    guard let since = error.data?["since"]?.intValue, let bootID = error.data?["boot_id"]?.stringValue else {
                        throw DaemonSession.failure(error)
                    }
                    resume = (UInt64(since), bootID)
                    continue
                } catch let error as RPCConnectionError {
                    let from = resume.map { " with --since \($0.0) --boot-id \($0.1)" } ?? ""
                    throw CLIError(
                        "testbedd went away (\(DaemonSession.describe(error))); watch again\(from) once it is back",
                        status: ExitStatus.unavailable)
                } catch {
                    throw DaemonSession.failure(error)
                }
            }
        }
    }

    static func jsonLine(_ event: DaemonEvent) -> String {
        String(decoding: (try? JSONCoding.shared.encode(event)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
