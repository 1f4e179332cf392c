import Foundation
import Logging
import TOMLKit

extension DaemonConfiguration {
    /// The settings a configuration file may hold; every one is optional.
    struct FileSettings: Decodable {
        var socket: String?
        var socketMode: String?
        var socketGroup: String?
        var roSocket: String?
        var adminGroup: String?
        var auth: String?
        var stateDir: String?
        var store: String?
        var maxFrameBytes: Int?
        var logLevel: String?
        var orchestrator: String?
        var actionTimeout: Seconds?
        var cancelGrace: Seconds?
        var logRetentionDays: Seconds?
        var logKeepActions: Int?
        var eventsKept: Int?
        var metricsFile: String?
        var metricsInterval: Seconds?
        var idleTimeout: Seconds?
        var logMaxBytes: Int?
        var logKeep: Int?
        var mode: String?
        var main: String?
        var mainChassis: String?
        var bridgeListen: String?
        var pkiDir: String?
        var heartbeatInterval: Seconds?
        var heartbeatMisses: Int?
        var maxConnections: Int?
        var maxConnectionsPerUID: Int?
        var maxReadOnlyConnections: Int?
        var connectionOutputBytes: Int?
        var outputBytes: Int?
        var frameTimeout: Seconds?
        var connectionIdleTimeout: Seconds?
        var shutdownTimeout: Seconds?

        enum CodingKeys: String, CodingKey {
            case socket, store
            case socketMode = "socket_mode"
            case socketGroup = "socket_group"
            case roSocket = "ro_socket"
            case adminGroup = "admin_group"
            case auth
            case stateDir = "state_dir"
            case maxFrameBytes = "max_frame_bytes"
            case logLevel = "log_level"
            case orchestrator
            case actionTimeout = "action_timeout"
            case cancelGrace = "cancel_grace"
            case logRetentionDays = "log_retention_days"
            case logKeepActions = "log_keep_actions"
            case eventsKept = "events_kept"
            case metricsFile = "metrics_file"
            case metricsInterval = "metrics_interval"
            case idleTimeout = "idle_timeout"
            case logMaxBytes = "log_max_bytes"
            case logKeep = "log_keep"
            case mode, main
            case mainChassis = "main_chassis"
            case bridgeListen = "bridge_listen"
            case pkiDir = "pki_dir"
            case heartbeatInterval = "heartbeat_interval"
            case heartbeatMisses = "heartbeat_misses"
            case maxConnections = "max_connections"
            case maxConnectionsPerUID = "max_connections_per_uid"
            case maxReadOnlyConnections = "max_ro_connections"
            case connectionOutputBytes = "connection_output_bytes"
            case outputBytes = "output_bytes"
            case frameTimeout = "frame_timeout"
            case connectionIdleTimeout = "connection_idle_timeout"
            case shutdownTimeout = "shutdown_timeout"
        }
    }

    /// A number written as a TOML integer (`30`) or float (`0.5`).
    struct Seconds: Decodable {
        var value: Double
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int.self) {
                value = Double(integer)
            } else {
                value = try container.decode(Double.self)
            }
        }
    }

    /// Applies the settings of the TOML file at `path`. A missing file is an
    /// error only when `required` (the user named it).
    public mutating func apply(file path: String, required: Bool) throws(ConfigurationError) {
        guard let text = try Self.read(path, required: required) else { return }
        let settings: FileSettings
        do {
            settings = try TOMLDecoder(strictDecoding: true).decode(FileSettings.self, from: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError("\(path) is not valid TOML: \(error.description) (\(error.source))")
        } catch let error as UnexpectedKeysError {
            let keys = error.keys.keys.sorted().joined(separator: ", ")
            throw ConfigurationError("\(path) has unknown settings: \(keys); `testbedd --print-config` lists the known ones")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ConfigurationError("\(path): setting \(key) has the wrong type: \(context.debugDescription)")
        } catch {
            throw ConfigurationError("\(path) cannot be read: \(error)")
        }
        if let socket = settings.socket { socketPath = socket }
        if let mode = settings.socketMode { socketMode = try Self.parseMode(mode, setting: "socket_mode") }
        if let group = settings.socketGroup { socketGroup = group }
        if let path = settings.roSocket { readOnlySocketPath = path }
        if let group = settings.adminGroup { adminGroup = group }
        if let mode = settings.auth { auth = try Self.parseAuth(mode) }
        if let stateDir = settings.stateDir { stateDirectory = stateDir }
        if let store = settings.store { self.store = try Self.parseStore(store) }
        if let max = settings.maxFrameBytes { maxFrameBytes = max }
        if let level = settings.logLevel { logLevel = try Self.parseLogLevel(level) }
        if let orchestrator = settings.orchestrator { self.orchestrator = orchestrator }
        if let timeout = settings.actionTimeout { actionTimeout = timeout.value }
        if let grace = settings.cancelGrace { cancelGrace = grace.value }
        if let days = settings.logRetentionDays { logRetentionDays = days.value }
        if let keep = settings.logKeepActions { logKeepActions = keep }
        if let kept = settings.eventsKept { eventsKept = kept }
        if let file = settings.metricsFile { metricsFile = file.isEmpty ? nil : file }
        if let interval = settings.metricsInterval { metricsInterval = interval.value }
        if let idle = settings.idleTimeout { idleTimeout = idle.value }
        if let bytes = settings.logMaxBytes { logMaxBytes = bytes }
        if let keep = settings.logKeep { logKeep = keep }
        if let chassis = settings.mainChassis { mainChassis = chassis }
        if let listen = settings.bridgeListen {
            bridgeListen = listen.isEmpty ? nil : try BridgeAddress(parsing: listen, setting: "bridge_listen")
        }
        if let folder = settings.pkiDir { pkiDirectory = folder }
        if let interval = settings.heartbeatInterval { heartbeatInterval = interval.value }
        if let misses = settings.heartbeatMisses { heartbeatMisses = misses }
        if let count = settings.maxConnections { limits.maxConnections = count }
        if let count = settings.maxConnectionsPerUID { limits.maxConnectionsPerUID = count }
        if let count = settings.maxReadOnlyConnections { limits.maxReadOnlyConnections = count }
        if let bytes = settings.connectionOutputBytes { limits.connectionOutputBytes = bytes }
        if let bytes = settings.outputBytes { limits.outputBytes = bytes }
        if let seconds = settings.frameTimeout { limits.frameTimeout = seconds.value }
        if let seconds = settings.connectionIdleTimeout { limits.idleTimeout = seconds.value }
        if let seconds = settings.shutdownTimeout { limits.shutdownTimeout = seconds.value }
        if settings.mode != nil || settings.main != nil {
            mode = try Self.parseMode(settings.mode ?? "client", main: settings.main, setting: "mode")
        }
    }

    /// `main`, or `client` with the main's address.
    public static func parseMode(_ text: String, main: String?, setting: String) throws(ConfigurationError) -> ClusterMode {
        switch text {
        case "main":
            guard main == nil else { throw ConfigurationError("\(setting) is main, so there is no main to name; drop main = \"\(main!)\"") }
            return .main
        case "client":
            guard let main, !main.isEmpty else {
                throw ConfigurationError("client mode needs the main's address: main = \"HOST[:PORT]\" (--main)")
            }
            return .client(main: try BridgeAddress(parsing: main, setting: "main"))
        default:
            throw ConfigurationError("\(setting) \"\(text)\" is not one of: main, client")
        }
    }

    private static func read(_ path: String, required: Bool) throws(ConfigurationError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw ConfigurationError("configuration file \(path) does not exist") }
            return nil
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read configuration file \(path): \(error.localizedDescription)")
        }
    }

    /// An octal permission mode such as `"0660"`.
    public static func parseMode(_ text: String, setting: String) throws(ConfigurationError) -> UInt16 {
        guard let mode = UInt16(text, radix: 8), mode <= 0o777 else {
            throw ConfigurationError("\(setting) \"\(text)\" is not an octal permission mode such as \"0660\"")
        }
        return mode
    }

    public static func parseAuth(_ text: String) throws(ConfigurationError) -> AuthMode {
        guard let mode = AuthMode(rawValue: text) else {
            throw ConfigurationError("auth \"\(text)\" is not one of: group, polkit")
        }
        return mode
    }

    public static func parseStore(_ text: String) throws(ConfigurationError) -> StoreKind {
        guard let kind = StoreKind(rawValue: text) else {
            let known = StoreKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("store \"\(text)\" is not one of: \(known)")
        }
        return kind
    }

    public static func parseLogLevel(_ text: String) throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text) else {
            let known = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("log_level \"\(text)\" is not one of: \(known)")
        }
        return level
    }
}
