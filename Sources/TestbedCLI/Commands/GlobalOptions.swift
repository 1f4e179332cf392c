import ArgumentParser

/// Options every command takes.
public struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The daemon's socket (default: $TESTBED_SOCKET, else \(SocketLocation.systemSocket)).", valueName: "path"))
    public var socket: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    public var json = false

    public init() {}

    /// `arguments` with global options given before the subcommand
    /// (`testbedctl --socket S status`) moved after it, where the parser reads them.
    public static func hoisted(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--") {
            if first == "--json" || first.hasPrefix("--socket=") {
                leading.append(rest.removeFirst())
            } else if first == "--socket", rest.count >= 2 {
                leading.append(contentsOf: rest.prefix(2))
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        return Array(rest) + leading
    }

    var socketPath: String { SocketLocation.resolve(flag: socket) }
    var output: Output { Output(json: json) }

    /// Runs `body` with a session to the daemon, closed afterwards whatever
    /// happens. A failure is thrown on to `TestbedCtl`, which prints it.
    func withSession(_ body: (DaemonSession) async throws(CLIError) -> Void) async throws(CLIError) {
        let session = try await DaemonSession.open(socketPath: socketPath)
        do {
            try await body(session)
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }
}

import FoundationEssentials
