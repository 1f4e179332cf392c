import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl logs [NAME] [ACTION_ID] [-f] [-n N]`: an action's log (the last one by default).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print an action's log (the last action's by default).",
        discussion: """
            With --follow, exits as the action did (0 when it succeeded); Ctrl-C stops following and exits \
            \(ExitStatus.interrupted), and the action goes on. With --json, each line is one JSON object.
            """)

    @OptionGroup var target: DeploymentTarget
    @Argument(help: "The action's id, or the start of it (default: the deployment's last action).", completion: Completions.actionIDs) var actionID: String?
    @Flag(name: [.short, .long], help: "Keep printing new lines until the action ends.") var follow = false
    @Option(name: [.customShort("n"), .long], help: ArgumentHelp("Start with the last N lines.", valueName: "N"))
    var tail: UInt32?
    @Option(help: ArgumentHelp(
        "Start with the lines written since TIME: 2026-11-30T15:04:05Z, or a while ago such as 90s, 10m, 2h or 1d.", valueName: "time"))
    var since: String?
    @Flag(name: [.short, .long], help: "Begin each line with the time testbedd saw it written (UTC, to 10 ms).")
    var timestamps = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let tail, tail > ActionLogsParams.maximumTail {
            throw ValidationError("--tail takes at most \(ActionLogsParams.maximumTail) lines")
        }
        if tail != nil, since != nil { throw ValidationError("give --tail or --since, not both") }
        if let since, Self.time(since, now: Date()) == nil {
            throw ValidationError(
                "--since takes a time since 1970 such as 2026-11-30T15:04:05Z, or a while ago (up to a century) such as 90s, 10m, 2h or 1d; "
                    + "not \"\(since)\"")
        }
    }

    /// `text` as a time: ISO 8601 in UTC (a space for the T will do), or a
    /// number of seconds, minutes, hours or days before `now`.
    static func time(_ text: String, now: Date) -> Date? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0,
            amount * unit <= 100 * 366 * 86400  // a century: a log is never older
        {
            return now.addingTimeInterval(-amount * unit)
        }
        guard let time = JSONCoding.parseTime(String(text.map { $0 == " " ? "T" : $0 })), time.timeIntervalSince1970 >= 0 else { return nil }
        return time
    }

    func run() async throws {
        var status = ExitStatus.success
        try await global.withSession { (session) throws(CLIError) in
            let name = target.resolvedName
            let id = try await Self.resolve(actionID, of: name, in: session)
            let call: RPCCall
            do {
                let params = ActionLogsParams(
                    id: id, follow: follow, tail: tail, since: since.flatMap { Self.time($0, now: Date()) }, timestamps: timestamps ? true : nil)
                call = try session.connection.start(RPCMethod.actionLogs, params: params)
            } catch {
                throw DaemonSession.failure(error)
            }
            let interrupts = follow ? Interrupts() : nil
            interrupts?.onInterrupt { _ in Task { try? await session.connection.cancel(call.id) } }
            defer { interrupts?.stop() }
            var printer = LogPrinter(StandardStream.output, jsonLinesOf: global.json ? id : nil, timestamped: timestamps)
            defer { printer.finish() }
            do {
                for try await event in call.events {
                    switch event {
                    case .chunk(let chunk):
                        printer.print(chunk)
                    case .result(let payload):
                        printer.finish()
                        let result = try RPCCall.decodeResult(payload, as: ActionLogsResult.self)
                        if result.finished {
                            let outcome = ActionOutcome(result.action)
                            if follow {
                                ActionRun.say(ActionRun.describe(outcome, verb: ActionsCommand.describe(result.action.command), deployment: name))
                            }
                            status = follow ? ActionRun.exitStatus(outcome) : ExitStatus.success
                        }
                    }
                }
            } catch let error as RPCError where error.code == .requestCancelled {
                printer.finish()
                throw CLIError(
                    "stopped following the log of \(name); the action goes on (`testbedctl logs \(name) -f` follows it again)",
                    status: ExitStatus.interrupted)
            } catch {
                printer.finish()
                throw ActionRun.lost(error, following: "the log", of: name)
            }
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// The full id of the action `prefix` names, or of the last action.
    static func resolve(_ prefix: String?, of name: String, in session: DaemonSession) async throws(CLIError) -> String {
        guard let prefix else {
            let deployment: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
            guard let last = deployment.lastActionUUID else { throw CLIError("no action has run on \(name) yet", code: .notFound) }
            return last
        }
        let list: ActionList = try await session.call(RPCMethod.actionList, params: NameParams(name: name))
        let matches = list.actions.filter { $0.id.hasPrefix(prefix.lowercased()) }
        guard matches.count == 1, let match = matches.first else {
            throw matches.isEmpty
                ? CLIError("no action of \(name) has an id starting with \(prefix); `testbedctl actions \(name)` lists them", code: .notFound)
                : CLIError("\(matches.count) actions of \(name) have ids starting with \(prefix); give more of the id", status: ExitStatus.usage)
        }
        return match.id
    }
}
