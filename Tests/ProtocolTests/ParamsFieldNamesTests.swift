import Foundation
import Testing
import TestbedProtocol

/// Each params type's accepted names are exactly the names it writes: the list
/// the daemon checks requests against cannot drift from the coding.
@Suite struct ParamsFieldNamesTests {
    static func keys<T: Encodable>(_ value: T) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }

    static let host = HostDescription(
        ip: "10.0.0.1", user: "u", identityFile: "/k", testbedNic: "eth0", mainInterface: "eth0",
        isMainHost: true, ovn: .init(chassisName: "main"))

    @Test func everyParamsTypeAcceptsExactlyTheNamesItWrites() throws {
        #expect(try Self.keys(NoParams()) == NoParams.fieldNames)
        #expect(try Self.keys(NameParams(name: "a")) == NameParams.fieldNames)
        #expect(try Self.keys(CreateParams(name: "a", projectLocation: "/p")) == CreateParams.fieldNames)
        #expect(try Self.keys(CancelParams(id: .int(1))) == CancelParams.fieldNames)
        #expect(try Self.keys(UpParams(name: "a")) == UpParams.fieldNames)
        #expect(try Self.keys(ActionNameParams(name: "a")) == ActionNameParams.fieldNames)
        #expect(try Self.keys(SnapshotParams(name: "a", snapshot: .list(name: nil, all: true))) == SnapshotParams.fieldNames)
        #expect(try Self.keys(TestbedSnapshotParams(name: "a")) == TestbedSnapshotParams.fieldNames)
        #expect(try Self.keys(ActionIDParams(id: "x")) == ActionIDParams.fieldNames)
        #expect(try Self.keys(ActionLogsParams(id: "x", tail: 10, since: Date(timeIntervalSince1970: 0), timestamps: true)) == ActionLogsParams.fieldNames)
        #expect(try Self.keys(JoinParams(host: Self.host, bridgePort: 1)) == JoinParams.fieldNames)
        #expect(try Self.keys(EvictParams(chassis: "c", revoke: true)) == EvictParams.fieldNames)
        #expect(try Self.keys(ConfigGetParams(name: "host")) == ConfigGetParams.fieldNames)
        #expect(try Self.keys(ConfigSetParams(name: "host", value: Self.host)) == ConfigSetParams.fieldNames)
        #expect(UpParams.fieldNames == ["name", "provision", "rerun_scripts", "reapply_acl", "follow"])
    }
}
