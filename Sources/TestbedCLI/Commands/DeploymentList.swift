import ArgumentParser
import FoundationEssentials
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

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

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let state, !DeploymentListParams.states.contains(state) {
            throw ValidationError("there is no state \"\(state)\"; use one of \(DeploymentListParams.states.joined(separator: ", "))")
        }
        if let owner, Self.uid(of: owner) == nil {
            throw ValidationError("there is no user \"\(owner)\"; give a user name or a uid")
        }
        guard (1...DeploymentListParams.maximumLimit).contains(pageSize) else {
            throw ValidationError("--page-size must be from 1 to \(DeploymentListParams.maximumLimit)")
        }
    }

    func run() async throws {
        let filter = DeploymentListParams(limit: pageSize, state: state, owner: owner.flatMap(Self.uid(of:)))
        let json = global.json
        try await global.withSession { (session) throws(CLIError) in
            var table = StreamingTable(headers: ["NAME", "STATE", "CREATED", "PROJECT"])
            var collected: [Deployment] = []
            var params = filter
            var printed = 0
            repeat {
                let page = try await session.call(RPCMethod.deploymentList, params: params)
                if json {
                    collected += page.deployments
                } else if !page.deployments.isEmpty {
                    let rows = page.deployments.map { d in
                        [d.name, Output.describe(d.state), Output.describe(d.createdAt), d.projectLocation]
                    }
                    StandardStream.output.write(table.render(rows))
                }
                printed += page.deployments.count
                params.after = page.next
            } while params.after != nil
            if json {
                global.output.emit(TestbedProtocol.DeploymentList(deployments: collected)) { "" }
            } else if printed == 0 {
                let filtered = filter.state != nil || filter.owner != nil
                StandardStream.output.write(filtered
                    ? "no deployments match\n"
                    : "no deployments; create one with `testbedctl deployment create` in a project folder\n")
            }
        }
    }

    /// The uid of `user`, a number or a name.
    static func uid(of user: String) -> UInt32? {
        if let number = UInt32(user) { return number }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }
}
