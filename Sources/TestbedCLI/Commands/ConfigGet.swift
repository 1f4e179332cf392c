import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl config get host|cluster`.
struct ConfigGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print host (this host's host.json) or cluster (the main's kvm-compose-config.json).")

    @Argument(help: ArgumentHelp("host or cluster.", valueName: "name"))
    var name: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard name == "host" || name == "cluster" else { throw ValidationError("config get takes host or cluster, not \"\(name)\"") }
    }

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let value: JSONValue = try await session.call(RPCMethod.configGet, params: ConfigGetParams(name: name))
            let text = (try? JSONCoding.prettyEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            print(text)
        }
    }
}
