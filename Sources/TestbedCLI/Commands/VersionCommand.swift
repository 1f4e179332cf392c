import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl version`: this client's and the daemon's versions and protocol
/// versions. Unlike every other command it reads the daemon's hello whatever
/// protocol it speaks, so that a mismatch can be seen.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Show testbedctl's and testbedd's versions and protocol versions.",
        discussion: "Exits 69 when testbedd cannot be reached and 76 when the two speak different protocols, after printing what it knows.")

    /// What any testbedd's hello says about its version, in any protocol.
    struct Peer: Codable {
        var server: String
        var version: String
        var `protocol`: Int
    }

    /// `version --json`: `daemon` is null when it cannot be reached.
    struct Report: Encodable {
        var client: Peer
        var daemon: Peer?
        var socket: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(client, forKey: .client)
            try c.encode(daemon, forKey: .daemon)
            try c.encode(socket, forKey: .socket)
        }

        private enum CodingKeys: String, CodingKey { case client, daemon, socket }
    }

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let socket = global.socketPath
        var report = Report(
            client: Peer(server: "testbedctl", version: TestbedCtl.version, protocol: RPCMessage.protocolVersion), socket: socket)
        let daemon: Result<Peer, CLIError> = await Self.ask(socket)
        if case .success(let peer) = daemon { report.daemon = peer }
        global.output.emit(report) {
            var text = "client: testbedctl \(report.client.version), protocol \(report.client.protocol)\n"
            if let peer = report.daemon { text += "daemon: \(peer.server) \(peer.version), protocol \(peer.protocol), at \(socket)\n" }
            return text
        }
        switch daemon {
        case .failure(let error):
            throw error
        case .success(let peer) where peer.protocol != RPCMessage.protocolVersion:
            throw CLIError(
                "testbedd speaks protocol \(peer.protocol) but this testbedctl speaks \(RPCMessage.protocolVersion); "
                    + "install matching versions of testbedd (\(peer.version)) and testbedctl",
                status: ExitStatus.protocolMismatch)
        case .success:
            break
        }
    }

    /// The daemon's hello, read without assuming its protocol.
    static func ask(_ socket: String) async -> Result<Peer, CLIError> {
        let connection: RPCConnection
        do {
            connection = try await RPCConnection.connect(unixSocketPath: socket)
        } catch {
            return .failure(DaemonSession.unreachable(socket, error))
        }
        defer { connection.abort() }
        do {
            return .success(try await connection.call(RPCMethod.hello.name, params: NoParams?.none, as: Peer.self))
        } catch {
            return .failure(DaemonSession.failure(error))
        }
    }
}
