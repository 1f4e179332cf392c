import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Unprivileged callers for access-control tests: numeric uids and gids that
/// need no account (setpriv switches to them directly), so the tests change
/// nothing on the machine. The tests run as root, as CI does.
enum TestUser {
    static let testbedGroup: UInt32 = 64_010
    static let adminGroup: UInt32 = 64_020

    case alice, bob, eve, admin

    var uid: UInt32 {
        switch self {
        case .alice: 64_001
        case .bob: 64_002
        case .eve: 64_003
        case .admin: 64_004
        }
    }

    /// Supplementary groups: alice and bob are in testbed, eve in nothing, admin in both.
    var groups: [UInt32] {
        switch self {
        case .alice, .bob: [Self.testbedGroup]
        case .eve: []
        case .admin: [Self.testbedGroup, Self.adminGroup]
        }
    }

    /// A copy of testbedctl any user can run: the build folder may sit under a
    /// home folder other users cannot enter.
    static let testbedctl = publicCopy(of: Binaries.testbedctl, as: "testbedctl")

    /// Runs testbedctl as this user.
    func ctl(_ arguments: [String], socket: String, in folder: String? = nil) async throws -> ProcessRun {
        let groups = self.groups.isEmpty ? ["--clear-groups"] : ["--groups", self.groups.map(String.init).joined(separator: ",")]
        return try await ProcessRun.run(
            "/usr/bin/setpriv",
            ["--reuid", String(uid), "--regid", String(uid)] + groups + ["--", Self.testbedctl] + arguments,
            environment: ["TESTBED_SOCKET": socket, "HOME": "/"], in: folder)
    }

    /// A project folder owned by this user.
    func project(_ name: String, in sandbox: Sandbox) throws -> String {
        let folder = try sandbox.project(name)
        chown(folder, uid, uid)
        chown(folder + "/kvm-compose.yaml", uid, uid)
        return folder
    }
}
