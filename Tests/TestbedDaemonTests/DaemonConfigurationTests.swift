import Foundation
import Testing
@testable import TestbedDaemon

@Suite struct DaemonConfigurationTests {
    static func write(_ text: String, in folder: TemporaryFolder) throws -> String {
        let path = folder.path + "/testbedd.toml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func defaultsAreTheDocumentedOnes() {
        let configuration = DaemonConfiguration()
        #expect(configuration.socketPath == "/run/testbedos/testbedd.sock")
        #expect(configuration.stateDirectory == "/var/lib/testbedos")
        #expect(configuration.store == .file)
        #expect(configuration.maxFrameBytes == 1_048_576)
        #expect(configuration.socketMode == 0o660)
    }

    @Test func aFileSetsEverySetting() throws {
        let folder = try TemporaryFolder()
        let path = try Self.write("""
            socket = "/run/x/t.sock"
            socket_mode = "0600"
            state_dir = "/srv/state"
            store = "sqlite"
            max_frame_bytes = 4096
            log_level = "debug"
            """, in: folder)
        var configuration = DaemonConfiguration()
        try configuration.apply(file: path, required: true)
        #expect(configuration.socketPath == "/run/x/t.sock")
        #expect(configuration.socketMode == 0o600)
        #expect(configuration.stateDirectory == "/srv/state")
        #expect(configuration.store == .sqlite)
        #expect(configuration.maxFrameBytes == 4096)
        #expect(configuration.logLevel == .debug)
    }

    @Test func printedConfigurationReadsBackTheSame() throws {
        let folder = try TemporaryFolder()
        var original = DaemonConfiguration()
        original.socketPath = #"/tmp/a "quoted" \ path.sock"#
        original.store = .sqlite
        original.socketMode = 0o640
        let path = try Self.write(original.toml, in: folder)
        var reread = DaemonConfiguration()
        try reread.apply(file: path, required: true)
        #expect(reread == original)
    }

    @Test(arguments: [
        ("sockett = \"/x\"", "unknown settings: sockett"),
        ("store = \"postgres\"", "store \"postgres\""),
        ("max_frame_bytes = \"big\"", "max_frame_bytes"),
        ("socket_mode = \"999\"", "octal"),
        ("log_level = \"loud\"", "log_level"),
        ("this is not toml", "not valid TOML"),
    ])
    func badFilesAreRefusedWithTheSettingNamed(text: String, phrase: String) throws {
        let folder = try TemporaryFolder()
        let path = try Self.write(text, in: folder)
        var configuration = DaemonConfiguration()
        let error = #expect(throws: ConfigurationError.self) { try configuration.apply(file: path, required: true) }
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "")")
    }

    @Test func aMissingFileIsAnErrorOnlyWhenNamed() throws {
        var configuration = DaemonConfiguration()
        try configuration.apply(file: "/nonexistent/testbedd.toml", required: false)
        #expect(configuration == DaemonConfiguration())
        #expect(throws: ConfigurationError.self) { try configuration.apply(file: "/nonexistent/testbedd.toml", required: true) }
    }

    @Test func validationRefusesUnusableValues() {
        var configuration = DaemonConfiguration()
        configuration.socketPath = "/" + String(repeating: "s", count: 120)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = DaemonConfiguration()
        configuration.stateDirectory = "relative"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = DaemonConfiguration()
        configuration.maxFrameBytes = 0
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }
}

@Suite struct ConnectionLimitsConfigurationTests {
    @Test func theLimitsComeFromTheFileAndArePrinted() throws {
        let folder = try TemporaryFolder()
        let path = try DaemonConfigurationTests.write("""
            max_connections = 500
            max_connections_per_uid = 16
            max_ro_connections = 32
            connection_output_bytes = 65536
            output_bytes = 8388608
            frame_timeout = 2.5
            connection_idle_timeout = 60
            shutdown_timeout = 3
            """, in: folder)
        var configuration = DaemonConfiguration()
        try configuration.apply(file: path, required: true)
        try configuration.validate()
        #expect(configuration.limits.maxConnections == 500)
        #expect(configuration.limits.maxConnectionsPerUID == 16)
        #expect(configuration.limits.maxReadOnlyConnections == 32)
        #expect(configuration.limits.connectionOutputBytes == 65536)
        #expect(configuration.limits.outputBytes == 8_388_608)
        #expect(configuration.limits.frameTimeout == 2.5)
        #expect(configuration.limits.idleTimeout == 60)
        #expect(configuration.limits.shutdownTimeout == 3)
        #expect(configuration.toml.contains("max_connections_per_uid = 16\n"))
        #expect(configuration.toml.contains("frame_timeout = 2.5\n"))
        // What --print-config writes reads back the same.
        let printed = try DaemonConfigurationTests.write(configuration.toml, in: folder)
        var again = DaemonConfiguration()
        try again.apply(file: printed, required: true)
        #expect(again.limits == configuration.limits)
    }

    @Test(arguments: [
        ("max_connections = 10", "max_connections must be at least 33"),
        ("max_connections_per_uid = 0", "max_connections_per_uid must be at least 1"),
        ("connection_output_bytes = 100", "connection_output_bytes must be at least 4096"),
        ("output_bytes = 4096", "output_bytes must be at least connection_output_bytes"),
        ("frame_timeout = 0", "frame_timeout must be a positive number of seconds"),
        ("shutdown_timeout = -1", "shutdown_timeout must be a positive number of seconds"),
    ])
    func badLimitsAreRefusedWithTheSettingNamed(line: String, message: String) throws {
        let folder = try TemporaryFolder()
        let path = try DaemonConfigurationTests.write(line, in: folder)
        var configuration = DaemonConfiguration()
        try configuration.apply(file: path, required: true)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }
}

@Suite struct ServiceUnitTests {
    /// systemd must not kill a stopping daemon before it has had its shutdown
    /// timeout to flush connections and the cancel grace to stop actions.
    @Test func theUnitsStopTimeoutCoversTheShutdownTimeoutAndTheCancelGrace() throws {
        let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("systemd/testbedd.service")
        let text = try String(contentsOf: unit, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") })
        let seconds = try #require(Double(line.dropFirst("TimeoutStopSec=".count).replacingOccurrences(of: "s", with: "")))
        let defaults = DaemonConfiguration()
        #expect(seconds >= defaults.limits.shutdownTimeout + defaults.cancelGrace)
    }
}
