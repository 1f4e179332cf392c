import ArgumentParser
import Foundation
import Logging
import Metrics
import TestbedDaemon

/// `testbedd`: parses options, builds the configuration, runs the daemon.
@main
struct TestbeddCommand: AsyncParsableCommand {
    static func main() async {
        // The internal entry point of an action's systemd unit (see ActionEntryPoint).
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == ActionEntryPoint.command { ActionEntryPoint.run(Array(arguments.dropFirst())) }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "testbedd",
        abstract: "The TestbedOS daemon: keeps deployments and runs their orchestration.",
        discussion: """
            Settings come from flags, then the configuration file (\(DaemonConfiguration.defaultFilePath)), \
            then defaults; TESTBED_SOCKET is testbedctl's and is ignored here. Under systemd the daemon \
            serves the sockets it is passed.
            """,
        version: DaemonVersion.current)

    @Option(name: .long, help: ArgumentHelp("Configuration file to read.", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Development mode: state and sockets under ./.testbedos, no group, no root needed.")
    var dev = false

    @Option(name: .long, help: ArgumentHelp("Unix socket to bind when systemd passes none.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("Permission mode of the read-write socket the daemon binds (octal).", valueName: "mode"))
    var socketMode: String?

    @Option(name: .long, help: ArgumentHelp("Group owning the read-write socket (name or gid; empty: none).", valueName: "group"))
    var socketGroup: String?

    @Option(name: .long, help: ArgumentHelp("The read-only socket (default: beside the read-write one; empty: none).", valueName: "path"))
    var roSocket: String?

    @Option(name: .long, help: ArgumentHelp("Members of this group are administrators (name or gid).", valueName: "group"))
    var adminGroup: String?

    @Option(name: .long, help: ArgumentHelp("Folder holding the daemon's state.", valueName: "path"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Deployment store: file or sqlite.", valueName: "kind"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("Largest accepted frame payload, in bytes.", valueName: "bytes"))
    var maxFrameBytes: Int?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    @Option(name: .long, help: ArgumentHelp("The orchestration tool run for each action.", valueName: "path"))
    var orchestrator: String?

    @Option(name: .long, help: ArgumentHelp("Cancel actions running longer than this (default: no limit).", valueName: "seconds"))
    var actionTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("Seconds between SIGTERM and SIGKILL on cancel (default 10).", valueName: "seconds"))
    var cancelGrace: Double?

    @Option(name: .long, help: ArgumentHelp("Remove action logs older than this (default 7).", valueName: "days"))
    var logRetentionDays: Double?

    @Option(name: .long, help: ArgumentHelp("Keep at most this many actions per deployment (default 50).", valueName: "count"))
    var logKeepActions: Int?

    @Option(name: .long, help: ArgumentHelp("Keep this many events in memory for events.watch --since (default 4096).", valueName: "count"))
    var eventsKept: Int?

    @Option(name: .long, help: ArgumentHelp("Write the metrics to this file (Prometheus text, for node_exporter's textfile collector).", valueName: "path"))
    var metricsFile: String?

    @Option(name: .long, help: ArgumentHelp("Seconds between writes of --metrics-file (default 15).", valueName: "seconds"))
    var metricsInterval: Double?

    @Option(name: .long, help: ArgumentHelp("Under socket activation, exit after this long idle (default: never).", valueName: "seconds"))
    var idleTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("Rotate the daemon's log file past this size (default 10 MiB).", valueName: "bytes"))
    var logMaxBytes: Int?

    @Option(name: .long, help: ArgumentHelp("Rotated log files to keep (default 5).", valueName: "count"))
    var logKeep: Int?

    @Argument(help: ArgumentHelp("main (the default) or client; given, it is saved to <state_dir>/config/mode.json.", valueName: "mode"))
    var mode: String?

    @Option(name: .long, help: ArgumentHelp("Client mode: the main's bridge address (default port 3355).", valueName: "host[:port]"))
    var main: String?

    @Option(name: .long, help: ArgumentHelp("Client mode: the chassis the main's certificate must name.", valueName: "name"))
    var mainChassis: String?

    @Option(name: .long, help: ArgumentHelp("Open the TCP bridge (mutual TLS) on this address.", valueName: "host:port"))
    var bridgeListen: String?

    @Option(name: .long, help: ArgumentHelp("Folder of the cluster CA and this node's certificate (default /etc/testbedos/pki).", valueName: "path"))
    var pkiDir: String?

    @Option(name: .long, help: ArgumentHelp("Seconds between cluster health checks (default 10).", valueName: "seconds"))
    var heartbeatInterval: Double?

    @Option(name: .long, help: ArgumentHelp("Failed checks before the main removes a member (default 3).", valueName: "count"))
    var heartbeatMisses: Int?

    @Option(name: .long, help: ArgumentHelp("Connections open at once, all sockets (default 4096, lowered to fit the descriptor limit).", valueName: "count"))
    var maxConnections: Int?

    @Option(name: .customLong("max-connections-per-uid"), help: ArgumentHelp("Connections one non-root uid may hold on the Unix sockets (default 64).", valueName: "count"))
    var maxConnectionsPerUID: Int?

    @Option(name: .customLong("max-ro-connections"), help: ArgumentHelp("Connections on the read-only socket, all callers (default 256).", valueName: "count"))
    var maxReadOnlyConnections: Int?

    @Option(name: .long, help: ArgumentHelp("Output queued per connection before its requests wait (default 262144).", valueName: "bytes"))
    var connectionOutputBytes: Int?

    @Option(name: .long, help: ArgumentHelp("Output queued for all connections before unprivileged ones wait (default 64 MiB).", valueName: "bytes"))
    var outputBytes: Int?

    @Option(name: .long, help: ArgumentHelp("A frame must be complete this long after its first byte (default 10).", valueName: "seconds"))
    var frameTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("Close connections idle this long with nothing in flight (default 300).", valueName: "seconds"))
    var connectionIdleTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("On stop, close connections not flushed after this long (default 5).", valueName: "seconds"))
    var shutdownTimeout: Double?

    @Flag(name: .long, help: "Print the effective configuration as TOML and exit.")
    var printConfig = false

    func run() async throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try effectiveConfiguration()
        } catch {
            FileHandle.standardError.write(Data("testbedd: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        if printConfig {
            print(configuration.toml, terminator: "")
            return
        }
        do {
            // Before anything is created (the log file first): a start that cannot succeed leaves no trace.
            try StartupCheck.verify(configuration)
            try Self.bootstrapLogging(configuration)
        } catch {
            FileHandle.standardError.write(Data("testbedd: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let logger = Logger(label: "testbedd")
        let announce = dev && !JournalLogHandler.stderrIsJournal()
        let daemon = Daemon(configuration: configuration, logger: logger) {
            guard announce else { return }
            // One line for the person who started it: where it listens, and how to point testbedctl there.
            let socket = configuration.socketPath
            // write(2), whose failure (stdout closed, or a pipe nobody reads) is ignored: FileHandle would trap.
            let line = "testbedd --dev is serving \(socket); in another shell: export TESTBED_SOCKET=\(Self.shellQuoted(socket))\n"
            _ = line.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
        }
        // Once per process, here only: libraries that report through swift-metrics reach the daemon's registry.
        MetricsSystem.bootstrap(daemon.metrics.factory)
        do {
            try await daemon.run()
        } catch {
            logger.critical("testbedd cannot run: \(error)")
            throw ExitCode.failure
        }
    }

    /// Under systemd with stderr on the journal: native journal entries.
    /// Otherwise: stderr and the rotated `<state_dir>/logs/testbedd.log`.
    static func bootstrapLogging(_ configuration: DaemonConfiguration) throws {
        let level = configuration.logLevel
        if JournalLogHandler.stderrIsJournal() {
            LoggingSystem.bootstrap { label in
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            return
        }
        let file = try RotatingLogFile(
            path: configuration.daemonLogPath, maxBytes: configuration.logMaxBytes, keep: configuration.logKeep)
        LoggingSystem.bootstrap { label in
            var stderr = StreamLogHandler.standardError(label: label)
            stderr.logLevel = level
            var toFile = file.handler(label: label)
            toFile.logLevel = level
            return MultiplexLogHandler([stderr, toFile])
        }
    }

    func effectiveConfiguration() throws -> DaemonConfiguration {
        let workingFolder = FileManager.default.currentDirectoryPath
        var configuration = dev ? DaemonConfiguration.development(in: workingFolder) : DaemonConfiguration()
        let base = configuration
        if let config {
            try configuration.apply(file: Self.absolute(config, in: workingFolder), required: true)
        } else if !dev {
            try configuration.apply(file: DaemonConfiguration.defaultFilePath, required: false)
        }
        if let socket { configuration.socketPath = Self.absolute(socket, in: workingFolder) }
        // A socket moved elsewhere takes its read-only twin along, unless that was placed too.
        if configuration.readOnlySocketPath == base.readOnlySocketPath,
            configuration.socketPath != base.socketPath
        {
            configuration.readOnlySocketPath = DaemonConfiguration.readOnlySocket(beside: configuration.socketPath)
        }
        if let roSocket { configuration.readOnlySocketPath = roSocket.isEmpty ? "" : Self.absolute(roSocket, in: workingFolder) }
        if let socketGroup { configuration.socketGroup = socketGroup }
        if let adminGroup { configuration.adminGroup = adminGroup }
        if let socketMode { configuration.socketMode = try DaemonConfiguration.parseMode(socketMode, setting: "--socket-mode") }
        if let stateDir { configuration.stateDirectory = Self.absolute(stateDir, in: workingFolder) }
        if let store { configuration.store = try DaemonConfiguration.parseStore(store) }
        if let maxFrameBytes { configuration.maxFrameBytes = maxFrameBytes }
        if let logLevel { configuration.logLevel = try DaemonConfiguration.parseLogLevel(logLevel) }
        if let orchestrator { configuration.orchestrator = Self.absolute(orchestrator, in: workingFolder) }
        if let actionTimeout { configuration.actionTimeout = actionTimeout }
        if let cancelGrace { configuration.cancelGrace = cancelGrace }
        if let logRetentionDays { configuration.logRetentionDays = logRetentionDays }
        if let logKeepActions { configuration.logKeepActions = logKeepActions }
        if let eventsKept { configuration.eventsKept = eventsKept }
        if let metricsFile { configuration.metricsFile = metricsFile.isEmpty ? nil : Self.absolute(metricsFile, in: workingFolder) }
        if let metricsInterval { configuration.metricsInterval = metricsInterval }
        if let idleTimeout { configuration.idleTimeout = idleTimeout }
        if let logMaxBytes { configuration.logMaxBytes = logMaxBytes }
        if let logKeep { configuration.logKeep = logKeep }
        if let mainChassis { configuration.mainChassis = mainChassis }
        if let bridgeListen {
            configuration.bridgeListen = bridgeListen.isEmpty ? nil : try BridgeAddress(parsing: bridgeListen, setting: "--bridge-listen")
        }
        if let pkiDir { configuration.pkiDirectory = Self.absolute(pkiDir, in: workingFolder) }
        if let heartbeatInterval { configuration.heartbeatInterval = heartbeatInterval }
        if let heartbeatMisses { configuration.heartbeatMisses = heartbeatMisses }
        if let maxConnections { configuration.limits.maxConnections = maxConnections }
        if let maxConnectionsPerUID { configuration.limits.maxConnectionsPerUID = maxConnectionsPerUID }
        if let maxReadOnlyConnections { configuration.limits.maxReadOnlyConnections = maxReadOnlyConnections }
        if let connectionOutputBytes { configuration.limits.connectionOutputBytes = connectionOutputBytes }
        if let outputBytes { configuration.limits.outputBytes = outputBytes }
        if let frameTimeout { configuration.limits.frameTimeout = frameTimeout }
        if let connectionIdleTimeout { configuration.limits.idleTimeout = connectionIdleTimeout }
        if let shutdownTimeout { configuration.limits.shutdownTimeout = shutdownTimeout }
        if mode != nil || main != nil {
            configuration.mode = try DaemonConfiguration.parseMode(mode ?? "client", main: main, setting: "mode")
        }
        try configuration.validate()
        return configuration
    }

    /// `text` as one shell word.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:@,".contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    static func absolute(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : folder + "/" + path
    }
}
