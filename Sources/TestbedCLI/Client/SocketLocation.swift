import FoundationEssentials

/// Where testbedctl looks for the daemon: `--socket`, else `TESTBED_SOCKET`,
/// else the system socket.
public enum SocketLocation {
    public static let systemSocket = "/run/testbedos/testbedd.sock"

    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let chosen = flag ?? environment["TESTBED_SOCKET"].flatMap { $0.isEmpty ? nil : $0 } ?? systemSocket
        if chosen.hasPrefix("/") { return chosen }
        return FileManager.default.currentDirectoryPath + "/" + chosen
    }
}
