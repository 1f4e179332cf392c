import Foundation
import TestbedPKI
import Logging
import TestbedProtocol

/// Everything the daemon can be told. Each setting comes, in order of
/// precedence, from a command-line flag, the configuration file, or its
/// default (`TESTBED_SOCKET` is the client's; the daemon never reads it).
public struct DaemonConfiguration: Sendable, Equatable {
    /// The configuration file read when `--config` is not given.
    public static let defaultFilePath = "/etc/testbedos/testbedd.toml"

    /// Where the read-write socket is bound when systemd does not pass one.
    public var socketPath = "/run/testbedos/testbedd.sock"
    /// The mode of the read-write socket when the daemon binds it itself.
    public var socketMode: UInt16 = 0o660
    /// The group owning the read-write socket (a name or a gid; empty: leave the daemon's own).
    public var socketGroup = "testbed"
    /// The read-only socket, mode 0666 (empty: none).
    public var readOnlySocketPath = "/run/testbedos/testbedd-ro.sock"
    /// Members of this group (a name or a gid) are admins on the read-write socket.
    public var adminGroup = "testbed-admin"
    /// Who decides on mutating calls: `group` (membership alone) or `polkit`.
    public var auth = AuthMode.group

    /// How mutating calls are authorized.
    public enum AuthMode: String, Sendable, CaseIterable {
        /// The socket's group decides: whoever can connect to the read-write socket may manage.
        case group
        /// polkit decides, per caller (org.testbedos.manage, org.testbedos.admin).
        case polkit
    }
    /// The root of everything the daemon stores.
    public var stateDirectory = "/var/lib/testbedos"
    /// Which `DeploymentStore` keeps the deployments.
    public var store = StoreKind.file
    /// The largest frame payload accepted from a client, in bytes.
    public var maxFrameBytes = FrameDecoder.defaultMaxFrameBytes
    /// The least severe level that is logged.
    public var logLevel = Logger.Level.info
    /// The orchestration tool run for each action (docs/orchestrator.md).
    public var orchestrator = "/usr/local/bin/testbed-netns"
    /// Seconds after which a running action is cancelled; nil for no limit.
    public var actionTimeout: Double?
    /// Seconds between SIGTERM and SIGKILL when an action is cancelled.
    public var cancelGrace: Double = 10
    /// Orchestration logs older than this many days are removed.
    public var logRetentionDays: Double = 7
    /// At most this many actions (with their logs) are kept per deployment.
    public var logKeepActions = 50
    /// The last events kept in memory for `events.watch` with `since`.
    public var eventsKept = 4096
    /// Where the metrics are written every `metricsInterval` seconds (none by default).
    public var metricsFile: String?
    public var metricsInterval: Double = 15
    /// The daemon's own log file rotates past this size (when not logging to the journal).
    public var logMaxBytes = 10 * 1_048_576
    /// Rotated log files kept.
    public var logKeep = 5
    /// Seconds without a connection or a running action after which a
    /// socket-activated daemon exits; nil never.
    public var idleTimeout: Double?
    /// What one client, and all of them together, can make the daemon hold.
    public var limits = ConnectionLimits()

    // MARK: Cluster

    /// The mode given by a flag or the configuration file; nil: the one in
    /// `<state_dir>/config/mode.json`, else main.
    public var mode: ClusterMode?
    /// The main's chassis, which its certificate must name (client mode).
    public var mainChassis = ""
    /// Where the TCP bridge listens (`HOST:PORT`); nil: no bridge unless systemd passes one.
    public var bridgeListen: BridgeAddress?
    /// The folder of the cluster CA and this node's certificate and key.
    public var pkiDirectory = "/etc/testbedos/pki"
    /// Seconds between health checks, both ways.
    public var heartbeatInterval: Double = 10
    /// Consecutive failed checks after which the main removes a member.
    public var heartbeatMisses = 3

    public init() {}

    /// The defaults of `testbedd --dev`: state and socket under `folder/.testbedos`, debug logging.
    public static func development(in folder: String) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = folder + "/.testbedos"
        configuration.socketPath = folder + "/.testbedos/testbedd.sock"
        configuration.readOnlySocketPath = folder + "/.testbedos/testbedd-ro.sock"
        configuration.socketGroup = ""
        configuration.logLevel = .notice
        return configuration
    }

    /// The read-only socket beside a read-write socket at `path`: `X.sock` gives `X-ro.sock`.
    public static func readOnlySocket(beside path: String) -> String {
        (path.hasSuffix(".sock") ? String(path.dropLast(5)) : path) + "-ro.sock"
    }

    /// The daemon's own log file, when it does not log to the journal.
    public var daemonLogPath: String { stateDirectory + "/logs/testbedd.log" }

    /// Checks values that the types alone do not constrain.
    public func validate() throws(ConfigurationError) {
        guard socketPath.hasPrefix("/") else {
            throw ConfigurationError("socket \"\(socketPath)\" must be an absolute path")
        }
        for path in [socketPath, readOnlySocketPath] where path.utf8.count >= 108 {
            throw ConfigurationError("socket path \(path) is \(path.utf8.count) bytes; Unix socket paths must be under 108")
        }
        guard readOnlySocketPath.isEmpty || readOnlySocketPath.hasPrefix("/") else {
            throw ConfigurationError("ro_socket \"\(readOnlySocketPath)\" must be an absolute path (or empty for none)")
        }
        guard readOnlySocketPath != socketPath else {
            throw ConfigurationError("ro_socket and socket must be different paths")
        }
        guard stateDirectory.hasPrefix("/") else {
            throw ConfigurationError("state_dir \"\(stateDirectory)\" must be an absolute path")
        }
        guard socketMode <= 0o777 else {
            throw ConfigurationError("socket_mode \(String(socketMode, radix: 8)) is not a permission mode (0000 to 0777)")
        }
        guard orchestrator.hasPrefix("/") else {
            throw ConfigurationError("orchestrator \"\(orchestrator)\" must be an absolute path")
        }
        if let actionTimeout, !(actionTimeout > 0) {
            throw ConfigurationError("action_timeout must be a positive number of seconds (leave it out for no limit)")
        }
        guard cancelGrace >= 0, cancelGrace <= 3600 else {
            throw ConfigurationError("cancel_grace must be between 0 and 3600 seconds")
        }
        if let idleTimeout, !(idleTimeout > 0) {
            throw ConfigurationError("idle_timeout must be a positive number of seconds (leave it out to never exit)")
        }
        guard logMaxBytes >= 4096 else { throw ConfigurationError("log_max_bytes must be at least 4096") }
        guard (1...100).contains(logKeep) else { throw ConfigurationError("log_keep must be between 1 and 100") }
        guard logRetentionDays > 0 else { throw ConfigurationError("log_retention_days must be positive") }
        guard logKeepActions >= 1 else { throw ConfigurationError("log_keep_actions must be at least 1") }
        guard (1...1_000_000).contains(eventsKept) else { throw ConfigurationError("events_kept must be from 1 to 1000000") }
        if let metricsFile, !metricsFile.hasPrefix("/") {
            throw ConfigurationError("metrics_file \"\(metricsFile)\" must be an absolute path")
        }
        guard metricsInterval >= 0.1, metricsInterval <= 86400 else {
            throw ConfigurationError("metrics_interval must be between 0.1 and 86400 seconds")
        }
        guard pkiDirectory.hasPrefix("/") else {
            throw ConfigurationError("pki_dir \"\(pkiDirectory)\" must be an absolute path")
        }
        guard heartbeatInterval >= 0.05, heartbeatInterval <= 3600 else {
            throw ConfigurationError("heartbeat_interval must be between 0.05 and 3600 seconds")
        }
        guard (1...1000).contains(heartbeatMisses) else {
            throw ConfigurationError("heartbeat_misses must be between 1 and 1000")
        }
        if case .client = mode {
            if mainChassis.isEmpty {
                throw ConfigurationError("client mode needs main_chassis (--main-chassis): the name the main's certificate must carry")
            }
            if let problem = ChassisName.problem(with: mainChassis) {
                throw ConfigurationError("main_chassis \"\(mainChassis)\" is not a chassis name: \(problem)")
            }
        }
        guard (64...(256 * 1_048_576)).contains(maxFrameBytes) else {
            throw ConfigurationError("max_frame_bytes \(maxFrameBytes) must be between 64 and 268435456")
        }
        try limits.validate()
    }

    /// The effective configuration as a TOML file that `--config` accepts.
    public var toml: String {
        """
        # testbedd effective configuration
        socket = \(Self.quoted(socketPath))
        socket_mode = "\(String(format: "%04o", socketMode))"
        socket_group = \(Self.quoted(socketGroup))
        ro_socket = \(Self.quoted(readOnlySocketPath))
        admin_group = \(Self.quoted(adminGroup))
        auth = "\(auth.rawValue)"
        state_dir = \(Self.quoted(stateDirectory))
        store = "\(store.rawValue)"
        max_frame_bytes = \(maxFrameBytes)
        log_level = "\(logLevel.rawValue)"
        orchestrator = \(Self.quoted(orchestrator))
        \(actionTimeout.map { "action_timeout = \(Self.number($0))" } ?? "# action_timeout: none")
        cancel_grace = \(Self.number(cancelGrace))
        log_retention_days = \(Self.number(logRetentionDays))
        log_keep_actions = \(logKeepActions)
        events_kept = \(eventsKept)
        \(metricsFile.map { "metrics_file = \(Self.quoted($0))" } ?? "# metrics_file: none")
        metrics_interval = \(Self.number(metricsInterval))
        log_max_bytes = \(logMaxBytes)
        log_keep = \(logKeep)
        \(idleTimeout.map { "idle_timeout = \(Self.number($0))" } ?? "# idle_timeout: none")
        max_connections = \(limits.maxConnections)
        max_connections_per_uid = \(limits.maxConnectionsPerUID)
        max_ro_connections = \(limits.maxReadOnlyConnections)
        connection_output_bytes = \(limits.connectionOutputBytes)
        output_bytes = \(limits.outputBytes)
        frame_timeout = \(Self.number(limits.frameTimeout))
        connection_idle_timeout = \(Self.number(limits.idleTimeout))
        shutdown_timeout = \(Self.number(limits.shutdownTimeout))
        \(modeLines)
        bridge_listen = \(Self.quoted(bridgeListen?.description ?? ""))
        pki_dir = \(Self.quoted(pkiDirectory))
        heartbeat_interval = \(Self.number(heartbeatInterval))
        heartbeat_misses = \(heartbeatMisses)

        """
    }

    private var modeLines: String {
        switch mode {
        case nil: "# mode: from <state_dir>/config/mode.json (main when absent)"
        case .main?: "mode = \"main\""
        case .client(let main)?: "mode = \"client\"\nmain = \(Self.quoted(main.description))\nmain_chassis = \(Self.quoted(mainChassis))"
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
