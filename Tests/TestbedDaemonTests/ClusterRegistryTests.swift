import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The cluster's files: durable membership, revocations, and corrupt files
/// reported and kept.
@Suite struct ClusterRegistryTests {
    static func host(_ chassis: String, ip: String = "10.0.0.2", main: Bool = false) -> HostDescription {
        HostDescription(
            ip: ip, user: "root", identityFile: "/root/.ssh/id_ed25519", testbedNic: "", mainInterface: "",
            isMainHost: main, ovn: .init(chassisName: chassis))
    }

    @Test func membershipAndRevocationsSurviveARestart() throws {
        let folder = try TemporaryFolder()
        let registry = try ClusterRegistry(folder: folder.path)
        try registry.setHost(Self.host("main", ip: "10.0.0.1", main: true), isMain: true)
        #expect(try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: "aa") == false)
        #expect(try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: "bb") == true)
        try registry.join(chassis: "node2", host: Self.host("node2", ip: "10.0.0.3"), address: "10.0.0.3:3355", serial: "cc")
        #expect(try registry.remove(chassis: "node2", revoking: "cc"))

        let reloaded = try ClusterRegistry(folder: folder.path)
        #expect(reloaded.problems.isEmpty)
        #expect(reloaded.members().map(\.chassis) == ["main", "node1"])
        #expect(reloaded.serial(of: "node1") == "bb")
        #expect(reloaded.isRevoked(serial: "cc"))
        #expect(!reloaded.isRevoked(serial: "bb"))
        #expect(reloaded.host?.ovn.chassisName == "main")
        guard case .object(let top) = reloaded.clusterDocument(), case .object(let hosts)? = top["testbed_host_ssh_config"] else {
            Issue.record("no testbed_host_ssh_config")
            return
        }
        #expect(Set(hosts.keys) == ["main", "node1"])
    }

    @Test func healthCountsMissesUntilASuccess() throws {
        let folder = try TemporaryFolder()
        let registry = try ClusterRegistry(folder: folder.path)
        try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: nil)
        #expect(registry.recordCheck("node1", succeeded: false) == (1, 0))
        #expect(registry.recordCheck("node1", succeeded: false) == (2, 1))
        #expect(registry.recordCheck("node1", succeeded: true) == (0, 2))
        // A host that is not a member gets no health record: its misses never add up.
        #expect(registry.recordCheck("ghost", succeeded: false) == (1, 0))
        #expect(registry.recordCheck("ghost", succeeded: false) == (1, 0))
    }

    @Test func anEvictionForMissesSparesAMemberThatAnsweredMeanwhile() throws {
        let folder = try TemporaryFolder()
        let registry = try ClusterRegistry(folder: folder.path)
        try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: nil)
        for _ in 0..<3 { _ = registry.recordCheck("node1", succeeded: false) }
        _ = registry.recordCheck("node1", succeeded: true)
        #expect(try registry.removeIfStillMissing("node1", threshold: 3) == false)
        #expect(registry.isMember("node1"))
        for _ in 0..<3 { _ = registry.recordCheck("node1", succeeded: false) }
        #expect(try registry.removeIfStillMissing("node1", threshold: 3))
        #expect(!registry.isMember("node1"))
    }

    @Test func aJoinThatChangesNothingWritesNothing() throws {
        let folder = try TemporaryFolder()
        let registry = try ClusterRegistry(folder: folder.path)
        let path = folder.path + "/kvm-compose-config.json"
        try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: "aa")
        var before = stat()
        #expect(stat(path, &before) == 0)
        #expect(try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: "aa"))
        var after = stat()
        #expect(stat(path, &after) == 0)
        // Each write replaces the file: the same inode means no write.
        #expect(after.st_ino == before.st_ino)
        try registry.join(chassis: "node1", host: Self.host("node1", ip: "10.0.0.9"), address: "10.0.0.9:3355", serial: "aa")
        #expect(stat(path, &after) == 0)
        #expect(after.st_ino != before.st_ino)
    }

    @Test func aRevokedCertificateCannotJoinEvenIfItsRequestCameFirst() throws {
        let folder = try TemporaryFolder()
        let registry = try ClusterRegistry(folder: folder.path)
        try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: "aa")
        try registry.remove(chassis: "node1", revoking: "aa")
        #expect(throws: ClusterError.revoked(chassis: "node1", serial: "aa")) {
            try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: "aa")
        }
        #expect(!registry.isMember("node1"))
    }

    @Test func otherTopLevelKeysOfTheClusterFileAreKept() throws {
        let folder = try TemporaryFolder()
        try Data(#"{"testbed_host_ssh_config":{},"kvm_compose_extra":{"x":1}}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.path + "/kvm-compose-config.json"))
        let registry = try ClusterRegistry(folder: folder.path)
        try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: nil)
        let text = try String(contentsOfFile: folder.path + "/kvm-compose-config.json", encoding: .utf8)
        #expect(text.contains("kvm_compose_extra"))
        #expect(text.contains("node1"))
    }

    @Test func aCorruptFileIsReportedThenMovedAsideBeforeTheFirstWrite() throws {
        let folder = try TemporaryFolder()
        try Data("[1,2".utf8).write(to: URL(fileURLWithPath: folder.path + "/kvm-compose-config.json"))
        try Data(#"{"ip":1}"#.utf8).write(to: URL(fileURLWithPath: folder.path + "/host.json"))
        let registry = try ClusterRegistry(folder: folder.path)
        #expect(registry.host == nil)
        #expect(registry.problems.count == 2)
        #expect(registry.problems.allSatisfy { $0.contains("is corrupt") && $0.contains("left as it is") })
        try registry.join(chassis: "node1", host: Self.host("node1"), address: "10.0.0.2:3355", serial: nil)
        let aside = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("kvm-compose-config.json.corrupt-") }
        #expect(aside.count == 1)
        #expect(try String(contentsOfFile: folder.path + "/" + aside[0], encoding: .utf8) == "[1,2")
        #expect(registry.problems.contains { $0.contains("moved to") })
        // host.json is untouched until it is set.
        #expect(try String(contentsOfFile: folder.path + "/host.json", encoding: .utf8) == #"{"ip":1}"#)
    }
}
