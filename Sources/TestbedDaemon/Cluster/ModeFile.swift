import Foundation
import TestbedProtocol

/// `<state_dir>/config/mode.json`, in the original's shape plus the port:
/// `"Main"` or `{"Client":{"main_ip":"10.0.0.1","main_port":3355}}`.
enum ModeFile {
    static func read(_ path: String) throws(ConfigurationError) -> ClusterMode? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw ConfigurationError("\(path) cannot be read") }
            return nil
        }
        guard let value = try? JSONCoding.sharedDecoder.decode(JSONValue.self, from: data) else {
            throw ConfigurationError("\(path) is not JSON; write \"Main\" or {\"Client\":{\"main_ip\":..,\"main_port\":..}}, or start testbedd with a mode")
        }
        if case .string("Main") = value { return .main }
        if case .object(let outer) = value, outer.count == 1, case .object(let client)? = outer["Client"],
            case .string(let ip)? = client["main_ip"]
        {
            var port = BridgeAddress.defaultPort
            if let given = client["main_port"] {
                guard case .int(let number) = given, let valid = Int(exactly: number) else {
                    throw ConfigurationError("\(path): main_port must be a number")
                }
                port = valid
            }
            return .client(main: try BridgeAddress(parsing: BridgeAddress(host: ip, port: port).description, setting: path))
        }
        throw ConfigurationError("\(path) must be \"Main\" or {\"Client\":{\"main_ip\":..,\"main_port\":..}}")
    }

    static func write(_ mode: ClusterMode, to path: String) throws {
        let value: JSONValue = switch mode {
        case .main: .string("Main")
        case .client(let main):
            .object(["Client": .object(["main_ip": .string(main.host), "main_port": .int(Int64(main.port))])])
        }
        try AtomicFile.write(try JSONCoding.prettyEncoder().encode(value), to: path, mode: 0o644)
    }
}
