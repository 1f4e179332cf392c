import ArgumentParser
import TestbedProtocol

/// `testbedctl status`: the daemon's version, uptime and counters.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's status.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let status: ServerStatus = try await session.call(RPCMethod.serverStatus)
            global.output.emit(StatusJSON(status: status, socket: session.socketPath, identity: session.hello.identity)) {
                """
                testbedd \(status.version) (pid \(status.pid)), up \(Self.duration(status.uptimeSeconds))
                socket:       \(session.socketPath)\(status.socketActivated ? " (socket-activated)" : "")
                connections:  \(status.openConnections)
                deployments:  \(status.deployments)
                store:        \(status.store) in \(status.stateDir)
                mode:         \(status.mode)\(status.mainReachable.map { $0 ? ", main reachable" : ", main unreachable" } ?? "")
                you:          uid \(session.hello.identity.uid), role \(session.hello.identity.role)

                """ + status.clusterProblems.map { "problem:      \($0)\n" }.joined()
            }
        }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? "\(h)h \(m)m \(s)s" : m > 0 ? "\(m)m \(s)s" : "\(s)s"
    }
}
