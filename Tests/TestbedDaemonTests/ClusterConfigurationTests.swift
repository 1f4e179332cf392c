import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The cluster's settings: bridge addresses, modes in the configuration file
/// and in mode.json, and host.json validation.
@Suite struct ClusterConfigurationTests {
    @Test func bridgeAddressesTakeTheDefaultPortAndBracketedIPv6() throws {
        #expect(try BridgeAddress(parsing: "10.0.0.1", setting: "main") == BridgeAddress(host: "10.0.0.1", port: 3355))
        #expect(try BridgeAddress(parsing: "main.lab:4000", setting: "main") == BridgeAddress(host: "main.lab", port: 4000))
        #expect(try BridgeAddress(parsing: "[::1]:99", setting: "main") == BridgeAddress(host: "::1", port: 99))
        #expect(try BridgeAddress(parsing: "fe80::1", setting: "main") == BridgeAddress(host: "fe80::1", port: 3355))
        #expect(BridgeAddress(host: "::1", port: 99).description == "[::1]:99")
        for bad in ["", "h:x", "h:0", "h:70000", "[::1", "[::1]x", "a b:1", ":3355"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try BridgeAddress(parsing: bad, setting: "main") }
        }
    }

    @Test func theConfigurationFileSetsTheClusterSettings() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/t.toml"
        try Data("""
            mode = "client"
            main = "10.0.0.1"
            main_chassis = "main"
            bridge_listen = "0.0.0.0:3355"
            pki_dir = "/srv/pki"
            heartbeat_interval = 0.5
            heartbeat_misses = 5
            """.utf8).write(to: URL(fileURLWithPath: path))
        var configuration = DaemonConfiguration()
        try configuration.apply(file: path, required: true)
        try configuration.validate()
        #expect(configuration.mode == .client(main: BridgeAddress(host: "10.0.0.1")))
        #expect(configuration.mainChassis == "main")
        #expect(configuration.bridgeListen == BridgeAddress(host: "0.0.0.0", port: 3355))
        #expect(configuration.pkiDirectory == "/srv/pki")
        #expect(configuration.heartbeatInterval == 0.5)
        #expect(configuration.heartbeatMisses == 5)
        // --print-config's output reads back to the same configuration.
        try Data(configuration.toml.utf8).write(to: URL(fileURLWithPath: path))
        var reread = DaemonConfiguration()
        try reread.apply(file: path, required: true)
        #expect(reread == configuration)
    }

    @Test func inconsistentModeSettingsAreRefusedWithTheFix() throws {
        func refusal(_ text: String) throws -> String {
            let folder = try TemporaryFolder()
            let path = folder.path + "/t.toml"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            var configuration = DaemonConfiguration()
            do {
                try configuration.apply(file: path, required: true)
                try configuration.validate()
            } catch {
                return error.message
            }
            return ""
        }
        #expect(try refusal("mode = \"main\"\nmain = \"10.0.0.1\"").contains("drop main"))
        #expect(try refusal("mode = \"client\"").contains("needs the main's address"))
        #expect(try refusal("mode = \"client\"\nmain = \"10.0.0.1\"").contains("needs main_chassis"))
        #expect(try refusal("mode = \"client\"\nmain = \"10.0.0.1\"\nmain_chassis = \"Main!\"").contains("not a chassis name"))
        #expect(try refusal("mode = \"peer\"").contains("not one of: main, client"))
        #expect(try refusal("heartbeat_interval = 0").contains("heartbeat_interval"))
        #expect(try refusal("heartbeat_misses = 0").contains("heartbeat_misses"))
    }

    @Test func modeFilesKeepTheOriginalShape() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/mode.json"
        #expect(try ModeFile.read(path) == nil)
        try ModeFile.write(.main, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\"Main\"")
        #expect(try ModeFile.read(path) == .main)
        try ModeFile.write(.client(main: BridgeAddress(host: "10.1.2.3", port: 4000)), to: path)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: [String: Any]]
        #expect(object?["Client"]?["main_ip"] as? String == "10.1.2.3")
        #expect(object?["Client"]?["main_port"] as? Int == 4000)
        #expect(try ModeFile.read(path) == .client(main: BridgeAddress(host: "10.1.2.3", port: 4000)))
        // The original's file, without a port.
        try Data(#"{"Client":{"main_ip":"10.1.2.3"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ModeFile.read(path) == .client(main: BridgeAddress(host: "10.1.2.3", port: 3355)))
        for bad in ["", "\"Other\"", #"{"Client":{}}"#, #"{"Client":{"main_ip":"x","main_port":"y"}}"#] {
            try Data(bad.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: ConfigurationError.self, "\(bad)") { try ModeFile.read(path) }
        }
    }

    static let host = HostDescription(
        ip: "10.0.0.2", user: "testbed", identityFile: "/home/testbed/.ssh/id_ed25519", testbedNic: "eth1",
        mainInterface: "eth0", isMainHost: false, ovn: .init(chassisName: "node1", bridge: "br-int"))

    @Test func hostDescriptionsAreCheckedFieldByField() throws {
        try HostValidation.check(Self.host, prefix: "")
        var ipv6 = Self.host
        ipv6.ip = "fd00::2"
        try HostValidation.check(ipv6, prefix: "")
        let broken: [(WritableKeyPath<HostDescription, String>, String, String)] = [
            (\.ip, "10.0.0.300", "ip"), (\.ip, "a b", "ip"), (\.user, "", "user"), (\.user, "-root", "user"),
            (\.identityFile, "id_rsa", "identity_file"), (\.identityFile, "/root/.ssh/id\nProxyCommand x", "identity_file"),
            (\.identityFile, "/root/../etc/shadow", "identity_file"), (\.identityFile, "/root/my key", "identity_file"),
            (\.testbedNic, "eth0/1", "testbed_nic"),
            (\.mainInterface, "a-very-long-interface", "main_interface"), (\.ovn.chassisName, "Node 1", "ovn.chassis_name"),
        ]
        for (field, value, name) in broken {
            var host = Self.host
            host[keyPath: field] = value
            #expect { try HostValidation.check(host, prefix: "host.") } throws: { error in
                (error as? RPCError)?.code == .invalidParams && (error as? RPCError)?.data?["field"]?.stringValue == "host." + name
            }
        }
        for bad in ["http://x", "tcp:", "tcp:10.0.0.1", "tcp:10.0.0.1:6642;rm", "tcp:a b:1"] {
            var remote = Self.host
            remote.ovn.clientOvnRemote = bad
            #expect(throws: RPCError.self, "\(bad)") { try HostValidation.check(remote, prefix: "") }
        }
        for good in ["tcp:10.0.0.1:6642", "ssl:[fd00::1]:6642", "tcp:main.lab:6642"] {
            var remote = Self.host
            remote.ovn.clientOvnRemote = good
            try HostValidation.check(remote, prefix: "")
        }
    }

    @Test func unknownHostFieldsAreRefusedNotDropped() throws {
        let json = #"{"ip":"10.0.0.2","user":"u","identity_file":"/k","testbed_nic":"","main_interface":"","is_main_host":false,"ovn":{"chassis_name":"n","bridg":"br-int"}}"#
        #expect(throws: DecodingError.self) { try JSONCoding.sharedDecoder.decode(HostDescription.self, from: Data(json.utf8)) }
    }
}
