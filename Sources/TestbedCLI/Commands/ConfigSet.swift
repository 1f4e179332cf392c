import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl config set host FILE` (admin): validated by the daemon before it is written.
struct ConfigSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Replace this host's host.json with FILE (admin only).",
        discussion: "The file is checked (known fields only, addresses, names, the chassis matching this node's certificate) before anything is written. On a client, the main gets it at the next check.")

    @Argument(help: ArgumentHelp("host (the only configuration that can be set).", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("A host.json file (- for standard input).", valueName: "file"))
    var file: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard name == "host" else {
            throw ValidationError(name == "cluster"
                ? "the cluster configuration is kept by the main from its members' joins; only host can be set"
                : "config set takes host, not \"\(name)\"")
        }
    }

    func run() async throws {
        let data: Data?
        if file == "-" { data = Data(StandardStream.input.readAll()) } else { data = FileManager.default.contents(atPath: file) }
        guard let data else { throw ValidationError("cannot read \(file)") }
        let host: HostDescription
        do {
            host = try JSONCoding.sharedDecoder.decode(HostDescription.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw ValidationError("\(file) is not a valid host.json: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw ValidationError("\(file) is not a valid host.json: field \(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ValidationError("\(file) is not a valid host.json: \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw ValidationError("\(file) is not a valid host.json: \(error)")
        }
        try await global.withSession { (session) throws(CLIError) in
            let _: EmptyResult = try await session.call(RPCMethod.configSet, params: ConfigSetParams(name: name, value: host))
            if !global.json { print("host.json updated") } else { print("{}") }
        }
    }
}
