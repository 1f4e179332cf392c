import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Who may do what, with real callers of other uids and groups (setpriv), on
/// the real sockets and their real permissions.
@Suite struct AccessControlTests {
    static func daemon(_ sandbox: Sandbox) async throws -> DaemonProcess {
        try await Fixtures.daemon(in: sandbox, extra: [
            "--socket-group", String(TestUser.testbedGroup), "--admin-group", String(TestUser.adminGroup),
        ])
    }

    static func roSocket(_ sandbox: Sandbox) -> String { sandbox.path + "/d-ro.sock" }

    @Test func theSocketsCarryTheirOwnersAndModes() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Self.daemon(sandbox)
        var info = stat()
        #expect(lstat(sandbox.socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == TestUser.testbedGroup)
        #expect(lstat(Self.roSocket(sandbox), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o666)
        #expect(try await daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: Self.roSocket(sandbox)))
    }

    @Test func theRefusalNamesAFolderOnTheWayThatTheCallerMayNotEnter() async throws {
        // As with a testbedd --dev that root started in a private folder.
        let sandbox = try Sandbox()
        let folder = sandbox.path + "/private"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        chmod(folder, 0o700)
        let socket = folder + "/d.sock"
        let daemon = try DaemonProcess(
            arguments: ["--socket", socket, "--ro-socket", "", "--state-dir", sandbox.state], socket: socket,
            logPath: sandbox.path + "/d.log")
        try await daemon.waitUntilAccepting()
        let refused = try await TestUser.eve.ctl(["status"], socket: socket)
        #expect(refused.status == 77)
        #expect(refused.stderr.contains(
            "permission denied on \(socket): uid \(TestUser.eve.uid) may not enter \(folder) (mode 0700, owner root, group root)"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("start your own testbedd --dev"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func aNonMemberIsRefusedByTheSocketAndMayOnlyReadOnTheReadOnlyOne() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Self.daemon(sandbox)
        let refused = try await TestUser.eve.ctl(["status"], socket: sandbox.socket)
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("permission denied on \(sandbox.socket) (mode 0660, owner root, group \(TestUser.testbedGroup))"))
        #expect(refused.stderr.contains("only members of the \(TestUser.testbedGroup) group may use it"), "\(refused.stderr)")

        let status = try await TestUser.eve.ctl(["status"], socket: Self.roSocket(sandbox))
        #expect(status.status == 0, "\(status.stderr)")
        let list = try await TestUser.eve.ctl(["deployment", "list"], socket: Self.roSocket(sandbox))
        #expect(list.status == 0)
        let folder = try TestUser.eve.project("eve", in: sandbox)
        let create = try await TestUser.eve.ctl(["deployment", "create"], socket: Self.roSocket(sandbox), in: folder)
        #expect(create.status == 77)
        #expect(create.stderr.contains("read-only socket"))
        #expect(create.stderr.contains(sandbox.socket))
        #expect(try await daemon.stop() == 0)
        // The socket's mode kept eve out of the read-write socket (the daemon never saw her
        // there); the daemon itself refused her create on the read-only one, and said so.
        let refusal = "refused: deployment.create is not allowed on the read-only socket; use the read-write socket \(sandbox.socket)"
        let logged = daemon.log.split(separator: "\n").filter { $0.contains(refusal) }
        #expect(logged.count == 1, "\(daemon.log)")
        #expect(logged.allSatisfy {
            $0.contains("uid=\(TestUser.eve.uid)") && $0.contains("method=deployment.create") && $0.contains("socket=ro")
        }, "\(logged)")
    }

    @Test func rolesAreReportedByHello() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Self.daemon(sandbox)
        for (user, socket, role) in [
            (TestUser.alice, sandbox.socket, "operator"), (.admin, sandbox.socket, "admin"),
            (.eve, Self.roSocket(sandbox), "reader"), (.admin, Self.roSocket(sandbox), "reader"),
        ] {
            let run = try await user.ctl(["status"], socket: socket)
            #expect(run.status == 0)
            #expect(run.stdout.contains("you:          uid \(user.uid), role \(role)"), "\(run.stdout)")
        }
        // hello's identity, over the raw protocol, as root on each socket.
        let rw = try RawClient(path: sandbox.socket).call("rpc.hello")
        #expect((rw.result?["identity"] as? [String: Any])?["role"] as? String == "admin")
        let ro = try RawClient(path: Self.roSocket(sandbox)).call("rpc.hello")
        #expect((ro.result?["identity"] as? [String: Any])?["role"] as? String == "reader")
        let rootCreate = try RawClient(path: Self.roSocket(sandbox)).call(
            "deployment.create", params: #"{"name":"x","project_location":"/tmp"}"#)
        #expect(rootCreate.errorCode == -32004)
        #expect(try await daemon.stop() == 0)
    }

    @Test func operatorsActOnlyOnTheirOwnDeploymentsAndAdminsOnAll() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Self.daemon(sandbox)
        let aliceFolder = try TestUser.alice.project("alice-lab", in: sandbox)
        let bobFolder = try TestUser.bob.project("bob-lab", in: sandbox)

        let created = try await TestUser.alice.ctl(["deployment", "create", "--json"], socket: sandbox.socket, in: aliceFolder)
        #expect(created.status == 0, "\(created.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        #expect(record?["owner_uid"] as? Int == Int(TestUser.alice.uid))

        // Nobody may point root at a folder someone else owns.
        let stolen = try await TestUser.alice.ctl(["deployment", "create", "stolen", "--path", bobFolder], socket: sandbox.socket)
        #expect(stolen.status == 77)
        #expect(stolen.stderr.contains("belongs to uid \(TestUser.bob.uid)"))

        let up = try await TestUser.alice.ctl(["up", "alice-lab"], socket: sandbox.socket)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("step 2 of 2"))

        for arguments in [["up", "alice-lab"], ["down", "alice-lab"], ["deployment", "destroy", "alice-lab"],
                          ["deployment", "reset-state", "alice-lab"], ["logs", "alice-lab"]] {
            let bob = try await TestUser.bob.ctl(arguments, socket: sandbox.socket)
            #expect(bob.status == 77, "bob \(arguments): \(bob.stderr)")
            #expect(bob.stderr.contains("uid \(TestUser.bob.uid)"))
        }
        // Logs are the owner's and admins', on either socket.
        let aliceLogs = try await TestUser.alice.ctl(["logs", "alice-lab"], socket: Self.roSocket(sandbox))
        #expect(aliceLogs.status == 0)
        let eveLogs = try await TestUser.eve.ctl(["logs", "alice-lab"], socket: Self.roSocket(sandbox))
        #expect(eveLogs.status == 77)

        let adminDown = try await TestUser.admin.ctl(["down", "alice-lab"], socket: sandbox.socket)
        #expect(adminDown.status == 0, "\(adminDown.stderr)")
        let adminLogs = try await TestUser.admin.ctl(["logs", "alice-lab"], socket: sandbox.socket)
        #expect(adminLogs.stdout.contains("args: down"))

        // The folder is checked again at every action: a swapped link is caught.
        try FileManager.default.moveItem(atPath: aliceFolder, toPath: aliceFolder + ".old")
        try FileManager.default.createSymbolicLink(atPath: aliceFolder, withDestinationPath: bobFolder)
        let swapped = try await TestUser.alice.ctl(["up", "alice-lab"], socket: sandbox.socket)
        #expect(swapped.status == 77)
        #expect(swapped.stderr.contains("belongs to uid \(TestUser.bob.uid)"))

        let destroyed = try await TestUser.alice.ctl(["deployment", "destroy", "alice-lab"], socket: sandbox.socket)
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("method=deployment.destroy"))
    }
}
