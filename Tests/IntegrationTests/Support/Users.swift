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
    static let testbedctl: String = {
        let folder = "/tmp/tbi-bin"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o755)
        let copy = folder + "/testbedctl"
        let temporary = copy + ".\(getpid())"
        // Written through a close-on-exec descriptor: a process another test spawns
        // meanwhile must not inherit it, or executing the copy fails with ETXTBSY.
        if let bytes = FileManager.default.contents(atPath: Binaries.testbedctl) {
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fchmod(fd, 0o755)
            close(fd)
            rename(temporary, copy)  // one copy, replaced whole each run
        }
        return copy
    }()

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
