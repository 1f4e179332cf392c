import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl deployment list` (alias `ls`): every deployment, asked for a
/// page at a time and printed as the pages come, optionally only those in a
/// state or of an owner (filtered by the daemon).
struct DeploymentList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the deployments.", aliases: ["ls"])

    @Option(help: "Only deployments in this state: up, down, running or failed.")
    var state: String?

    @Option(help: "Only deployments this user owns (a user name or a uid).")
    var owner: String?

    @Option(help: .hidden)
    var pageSize = 1000

    @OptionGroup var table: TableOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let state, !DeploymentListParams.states.contains(state) {
            throw ValidationError("there is no state \"\(state)\"; use one of \(DeploymentListParams.states.joined(separator: ", "))")
        }
        if let owner, UserName.uid(named: owner) == nil {
            throw ValidationError("there is no user \"\(owner)\"; give a user name or a uid")
        }
        guard (1...DeploymentListParams.maximumLimit).contains(pageSize) else {
            throw ValidationError("--page-size must be from 1 to \(DeploymentListParams.maximumLimit)")
        }
    }

    func run() async throws {
        let filter = DeploymentListParams(limit: pageSize, state: state, owner: owner.flatMap(UserName.uid(named:)))
        let json = global.json
        let style = TerminalStyle.standardOutput(json: json)
        try await global.withSession { (session) throws(CLIError) in
            var rendered = StreamingTable(headers: table.headers(["NAME", "STATE", "OWNER", "CREATED", "PROJECT"]))
            var collected: [Deployment] = []
            var params = filter
            var printed = 0
            var call: RPCCall? = try Self.start(params, in: session)
            while let current = call {
                let payload = try await Self.result(of: current)
                // Ask for the next page before decoding this one, so that the
                // daemon prepares it while this one is decoded and printed.
                call = nil
                if let next = Self.nextCursor(in: payload) {
                    params.after = next
                    call = try Self.start(params, in: session)
                }
                let page: TestbedProtocol.DeploymentList
                do {
                    page = try RPCCall.decodeResult(payload)
                } catch {
                    throw DaemonSession.failure(error)
                }
                if call == nil, let next = page.next {
                    params.after = next
                    call = try Self.start(params, in: session)
                }
                if json {
                    collected += page.deployments
                } else if table.quiet {
                    StandardStream.output.write(page.deployments.map { $0.name + "\n" }.joined())
                } else if !page.deployments.isEmpty {
                    let rows = page.deployments.map { d in
                        [d.name, style.state(d.state), UserName.describe(d.ownerUID), Output.describe(d.createdAt), d.projectLocation]
                    }
                    StandardStream.output.write(rendered.render(rows))
                }
                printed += page.deployments.count
            }
            if json {
                global.output.emit(collected.map(DeploymentJSON.init)) { "" }
            } else if printed == 0, !table.quiet {
                let filtered = filter.state != nil || filter.owner != nil
                StandardStream.output.write(filtered
                    ? "no deployments match\n"
                    : "no deployments; create one with `testbedctl deployment create` in a project folder\n")
            }
        }
    }

    private static func start(_ params: DeploymentListParams, in session: DaemonSession) throws(CLIError) -> RPCCall {
        do {
            return try session.connection.start(RPCMethod.deploymentList, params: params)
        } catch {
            throw DaemonSession.failure(error)
        }
    }

    private static func result(of call: RPCCall) async throws(CLIError) -> Data {
        do {
            for try await event in call.events { if case .result(let payload) = event { return payload } }
        } catch {
            throw DaemonSession.failure(error)
        }
        throw CLIError("testbedd closed the connection without answering", status: ExitStatus.unavailable)
    }

    /// The page's `next`, found by scanning the answer without decoding its
    /// rows; nil when there is none or it is not a plain string (then the
    /// decoded page says).
    static func nextCursor(in payload: Data) -> String? {
        payload.withUnsafeBytes { bytes in
            guard let response = TopLevelMembers(bytes), let result = response["result"],
                let page = TopLevelMembers(bytes, object: result), let next = page["next"]
            else { return nil }
            return page.plainString(next)
        }
    }
}
