import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl cluster status`: members, their addresses and health; on a client, the link to the main.
struct ClusterStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the cluster's members and their health.")

    @OptionGroup var table: TableOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let status: ClusterStatus = try await session.call(RPCMethod.clusterStatus)
            global.output.emit(status) {
                table.quiet ? status.members.map { $0.chassis + "\n" }.joined() : Self.render(status, headers: table.headers(Self.headers))
            }
        }
    }

    static let headers = ["CHASSIS", "ADDRESS", "STATE", "MISSES", "LAST SEEN"]

    static func render(_ status: ClusterStatus, headers: [String]? = headers) -> String {
        var text = "mode:     \(status.mode)\nchassis:  \(status.chassis ?? "unknown")\nbridge:   \(status.bridge ?? "off")\n"
        if let expires = status.certificateExpires { text += "cert:     valid until \(Output.describe(expires))\n" }
        if let main = status.main {
            text += "main:     \(main.chassis) at \(main.address), \(main.reachable ? "reachable" : "unreachable"), \(main.joined ? "joined" : "not joined")"
            text += main.lastContact.map { ", last contact \(Output.describe($0))" } ?? ""
            text += "\n"
            if let error = main.lastError { text += "          last error: \(error)\n" }
            if let remote = main.ovnRemote { text += "ovn:      \(remote)\(main.ovnRemoteError.map { " (not applied: \($0))" } ?? "")\n" }
        }
        if status.mode == "main" {
            var table = Table(headers: headers)
            for member in status.members {
                table.append([
                    member.chassis, member.address.isEmpty ? "-" : member.address, member.state, String(member.misses),
                    member.lastSeen.map(Output.describe) ?? "-",
                ])
            }
            text += "\n" + table.render()
        }
        for problem in status.problems { text += "problem:  \(problem)\n" }
        return text
    }
}
