import Foundation
import Testing
import TestbedPKI
import TestbedProtocol
import X509
#if canImport(Glibc)
import Glibc
#endif

/// `testbedctl cluster` and `testbedctl config`, as an administrator and as
/// users who may not.
@Suite struct ClusterCLITests {
    static func ctl(_ arguments: [String]) async throws -> ProcessRun {
        try await ProcessRun.run(Binaries.testbedctl, arguments)
    }

    @Test func aRequestSignedByTheCAKeepsTheNodesKeyOnTheNode() async throws {
        let sandbox = try Sandbox()
        let ca = sandbox.path + "/ca", node = sandbox.path + "/node"
        #expect(try await Self.ctl(["cluster", "ca", "init", "--pki-dir", ca]).status == 0)
        let again = try await Self.ctl(["cluster", "ca", "init", "--pki-dir", ca])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already has a cluster CA"))
        #expect(again.stderr.contains("--force"))

        let request = try await Self.ctl(["cluster", "csr", "node7", "--pki-dir", node])
        #expect(request.status == 0, "\(request.stderr)")
        var info = stat()
        #expect(stat(node + "/node.key", &info) == 0 && info.st_mode & 0o777 == 0o600)
        let keyBefore = try String(contentsOfFile: node + "/node.key", encoding: .utf8)

        let signed = try await Self.ctl(["cluster", "sign", node + "/node.csr", "--pki-dir", ca, "--json"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(signed.stdout.utf8)) as? [String: Any])
        #expect(result["chassis"] as? String == "node7")
        #expect((result["files"] as? [String]) == [node + "/node.pem"])
        // The certificate is for the key that never left, and follows the node rules.
        let certificate = try CertificateAuthority.loadCertificate(node + "/node.pem", what: "certificate")
        let key = try Certificate.PrivateKey(pemEncoded: keyBefore)
        #expect(certificate.publicKey == key.publicKey)
        #expect(try NodeCertificateRules.chassis(of: certificate).value == "node7")
        #expect(try String(contentsOfFile: node + "/node.key", encoding: .utf8) == keyBefore)

        let refused = try await Self.ctl(["cluster", "sign", node + "/node.csr", "--pki-dir", ca])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("node.pem already exists; pass --force"))
        // Signed elsewhere, a request for a chassis already issued (the main's, say) is refused too.
        let twice = try await Self.ctl(["cluster", "sign", node + "/node.csr", "--pki-dir", ca, "--out", sandbox.path + "/other.pem"])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("a certificate for chassis node7 was already issued"))
        // A new CA starts a new index.
        #expect(try await Self.ctl(["cluster", "ca", "init", "--pki-dir", ca, "--force"]).status == 0)
        #expect(try await Self.ctl(["cluster", "sign", node + "/node.csr", "--pki-dir", ca, "--out", sandbox.path + "/new-ca.pem"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/other.pem"))
        // --force replaces the file, --reissue allows the same chassis again: both are needed here.
        let forced = try await Self.ctl(["cluster", "sign", node + "/node.csr", "--pki-dir", ca, "--force"])
        #expect(forced.status == 1)
        #expect(forced.stderr.contains("--reissue"))
        #expect(try await Self.ctl(["cluster", "sign", node + "/node.csr", "--pki-dir", ca, "--force", "--reissue"]).status == 0)
        #expect(try await Self.ctl(["cluster", "csr", "node7", "--pki-dir", node]).status == 1)
    }

    @Test func badNamesAndFilesGetClearErrors() async throws {
        let sandbox = try Sandbox()
        let ca = sandbox.path + "/ca"
        let noCA = try await Self.ctl(["cluster", "issue", "node1", "--out", sandbox.path + "/n", "--pki-dir", ca])
        #expect(noCA.status == 1)
        #expect(noCA.stderr.contains("cannot read the cluster CA certificate at \(ca)/ca.pem: it does not exist"))
        #expect(try await Self.ctl(["cluster", "ca", "init", "--pki-dir", ca]).status == 0)
        let badName = try await Self.ctl(["cluster", "issue", "Node_1", "--out", sandbox.path + "/n", "--pki-dir", ca])
        #expect(badName.status == 64)
        #expect(badName.stderr.contains("not a valid chassis name"))
        let garbage = try sandbox.write("not a request", to: "x.csr")
        let notCSR = try await Self.ctl(["cluster", "sign", garbage, "--pki-dir", ca])
        #expect(notCSR.status == 1)
        #expect(notCSR.stderr.contains("is not a PEM certificate signing request"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/x.pem"))
    }

    @Test func aNodeWithoutUsableCredentialsServesLocallyWithTheBridgeOff() async throws {
        let sandbox = try Sandbox()
        let main = try await ClusterDaemon.start("main", in: sandbox, pki: sandbox.path + "/no-such-pki", mode: ["main"])
        try await main.stopAfter {
            let status = try await main.clusterStatus()
            #expect(status.bridge == nil)
            #expect(status.problems.contains { $0.contains("the bridge is off") && $0.contains("no-such-pki/node.pem") }, "\(status.problems)")
            let server: ServerStatus = try await main.call(RPCMethod.serverStatus.name)
            #expect(server.clusterProblems.contains { $0.contains("the bridge is off") })
            #expect(main.daemon.child.exitStatus == nil)
        }
    }

    @Test func aCertificateAboutToExpireIsReported() async throws {
        let sandbox = try Sandbox()
        let pki = try await TestPKI.make(in: sandbox)
        let folder = sandbox.path + "/short"
        let run = try await Self.ctl(["cluster", "issue", "main", "--out", folder, "--pki-dir", pki.caFolder, "--days", "10"])
        #expect(run.status == 0, "\(run.stderr)")
        let main = try await ClusterDaemon.start("main", in: sandbox, pki: folder, mode: ["main"])
        try await main.stopAfter {
            let status = try await main.clusterStatus()
            #expect(status.problems.contains { $0.contains("expires in 9 days") || $0.contains("expires in 10 days") }, "\(status.problems)")
            let expires = try #require(status.certificateExpires)
            #expect(abs(expires.timeIntervalSinceNow - 10 * 86400) < 3600)
        }
    }

    @Test func configGetAndSetValidateBeforeWriting() async throws {
        let sandbox = try Sandbox()
        let pki = try await TestPKI.make(in: sandbox)
        let main = try await ClusterDaemon.start(
            "main", in: sandbox, pki: try await pki.issue("main"), mode: ["main"], socketGroup: String(TestUser.testbedGroup))
        try await main.stopAfter {
            let got = try await Self.ctl(["--socket", main.socket, "config", "get", "host"])
            #expect(got.status == 0, "\(got.stderr)")
            var host = try JSONDecoder().decode(HostDescription.self, from: Data(got.stdout.utf8))
            #expect(host.ovn.chassisName == "main")
            let hostBefore = try String(contentsOfFile: main.configFolder + "/host.json", encoding: .utf8)

            // Unknown field: refused by testbedctl before anything is sent.
            let typo = try sandbox.write(#"{"ip":"10.0.0.1","user":"root","identity_file":"/k","testbed_nic":"","main_interface":"","is_main_host":true,"ovn":{"chassis_name":"main"},"ipp":1}"#, to: "typo.json")
            let refusedTypo = try await Self.ctl(["--socket", main.socket, "config", "set", "host", typo])
            #expect(refusedTypo.status == 64)
            #expect(refusedTypo.stderr.contains("no field \"ipp\""))
            // Checked by the daemon: the field is named, and nothing changes.
            host.ip = "10.0.0.300"
            let badIP = try sandbox.write(String(decoding: try JSONEncoder().encode(host), as: UTF8.self), to: "bad.json")
            let refusedIP = try await Self.ctl(["--socket", main.socket, "config", "set", "host", badIP])
            #expect(refusedIP.status == 64)
            #expect(refusedIP.stderr.contains("value.ip"))
            host.ip = "10.0.0.3"
            host.ovn.chassisName = "other"
            let otherChassis = try sandbox.write(String(decoding: try JSONEncoder().encode(host), as: UTF8.self), to: "other.json")
            let refusedChassis = try await Self.ctl(["--socket", main.socket, "config", "set", "host", otherChassis])
            #expect(refusedChassis.status == 64)
            #expect(refusedChassis.stderr.contains("certificate names main"))
            #expect(try String(contentsOfFile: main.configFolder + "/host.json", encoding: .utf8) == hostBefore)

            // Not an administrator: refused.
            host.ovn.chassisName = "main"
            let good = try sandbox.write(String(decoding: try JSONEncoder().encode(host), as: UTF8.self), to: "good.json")
            chmod(good, 0o644)
            let operatorSet = try await TestUser.alice.ctl(["config", "set", "host", good], socket: main.socket)
            #expect(operatorSet.status == 77, "\(operatorSet.stderr)")
            let operatorEvict = try await TestUser.alice.ctl(["cluster", "evict", "node1"], socket: main.socket)
            #expect(operatorEvict.status == 77)
            let operatorStatus = try await TestUser.alice.ctl(["cluster", "status"], socket: main.socket)
            #expect(operatorStatus.status == 0, "\(operatorStatus.stderr)")

            let set = try await TestUser.admin.ctl(["config", "set", "host", good], socket: main.socket)
            #expect(set.status == 0, "\(set.stderr)")
            // The main's own entry in the cluster follows its host.json.
            #expect(try main.configuredMembers()["main"]?["ip"] as? String == "10.0.0.3")
            let cluster = try await Self.ctl(["--socket", main.socket, "config", "get", "cluster"])
            #expect(cluster.stdout.contains("\"10.0.0.3\""))
            let setCluster = try await Self.ctl(["--socket", main.socket, "config", "set", "cluster", good])
            #expect(setCluster.status == 64)
            #expect(setCluster.stderr.contains("kept by the main"))
        }
    }
}
