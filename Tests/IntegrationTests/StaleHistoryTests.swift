import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A destroy cut short by a crash left alice's action history on disk without
/// her deployment. Bob then makes a deployment of the same name and must get
/// nothing of hers, by any way of asking, while the daemon stops and starts
/// around him. The attack end to end, on the real daemon with each store.
@Suite struct StaleHistoryTests {
    static func daemon(_ sandbox: Sandbox, store: String) async throws -> DaemonProcess {
        try await Fixtures.daemon(in: sandbox, store: store, extra: [
            "--socket-group", String(TestUser.testbedGroup), "--admin-group", String(TestUser.adminGroup),
        ])
    }

    @Test(arguments: ["file", "sqlite"])
    func aRecycledNameGetsNothingOfTheDeploymentBefore(store: String) async throws {
        let sandbox = try Sandbox()
        var daemon = try await Self.daemon(sandbox, store: store)

        // Alice's deployment runs an action that writes 64 lines.
        let aliceFolder = try TestUser.alice.project("alice-lab", in: sandbox)
        try Fixtures.setBehaviour("slow 64 0", of: aliceFolder)
        let created = try await TestUser.alice.ctl(["deployment", "create", "lab", "--path", aliceFolder], socket: sandbox.socket)
        #expect(created.status == 0, "\(created.stderr)")
        let up = try await TestUser.alice.ctl(["up", "lab"], socket: sandbox.socket)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("line 64"))
        let alices = try #require(try RawClient(path: sandbox.socket).call("deployment.get", params: #"{"name":"lab"}"#).result)
        let oldID = try #require(alices["last_action_uuid"] as? String)
        let oldAction = try #require(
            try RawClient(path: sandbox.socket).call("action.get", params: #"{"id":"\#(oldID)"}"#).result)
        let oldLog = try #require(oldAction["log_path"] as? String)
        #expect(try String(contentsOfFile: oldLog, encoding: .utf8).contains("line 64"))
        #expect(try await daemon.stop() == 0)

        // The crash: the record is gone, the history and the log are not.
        try Self.removeOnlyTheRecord("lab", store: store, in: sandbox)
        if store == "file" {
            #expect(FileManager.default.fileExists(atPath: sandbox.state + "/deployments/lab-logs.json"))
        }

        // The next start removes what was left, log file included, and says so.
        daemon = try await Self.daemon(sandbox, store: store)
        #expect(!FileManager.default.fileExists(atPath: oldLog))
        #expect(daemon.log.contains("no longer exists"), "\(daemon.log)")
        #expect(daemon.log.contains(oldLog))
        if store == "file" {
            #expect(!FileManager.default.fileExists(atPath: sandbox.state + "/deployments/lab-logs.json"))
        }

        // Bob makes the name again; the daemon stops and starts (as it does when idle).
        let bobFolder = try TestUser.bob.project("bob-lab", in: sandbox)
        let bobCreated = try await TestUser.bob.ctl(["deployment", "create", "lab", "--path", bobFolder], socket: sandbox.socket)
        #expect(bobCreated.status == 0, "\(bobCreated.stderr)")
        #expect(try await daemon.stop() == 0)
        daemon = try await Self.daemon(sandbox, store: store)

        // Nothing of alice's: not in the history, not as the last action, not by her action's id.
        let actions = try await TestUser.bob.ctl(["actions", "lab"], socket: sandbox.socket)
        #expect(actions.status == 0, "\(actions.stderr)")
        #expect(actions.stdout.contains("no actions have run on lab yet"), "\(actions.stdout)")
        let last = try await TestUser.bob.ctl(["logs", "lab"], socket: sandbox.socket)
        #expect(last.status != 0)
        #expect(last.stderr.contains("no action has run on lab yet"), "\(last.stderr)")
        let byID = try await TestUser.bob.ctl(["logs", "lab", oldID], socket: sandbox.socket)
        #expect(byID.status != 0)
        for run in [actions, last, byID] { #expect(!(run.stdout + run.stderr).contains("line ")) }
        for method in ["action.logs", "action.get", "action.cancel"] {
            let frames = try await Self.rawCall(as: .bob, socket: sandbox.socket, method: method, params: #"{"id":"\#(oldID)"}"#)
            #expect(frames.count == 1, "\(method): \(frames)")
            #expect(frames.last?.errorCode == -32001, "\(method): \(frames)")
        }
        // Not even root, who may read every log, finds it.
        #expect(try RawClient(path: sandbox.socket).call("action.get", params: #"{"id":"\#(oldID)"}"#).errorCode == -32001)

        // Bob's own action is his to read, by the same raw client: the refusals above are not the client failing.
        let bobUp = try await TestUser.bob.ctl(["up", "lab"], socket: sandbox.socket)
        #expect(bobUp.status == 0, "\(bobUp.stderr)")
        let bobs = try #require(try RawClient(path: sandbox.socket).call("deployment.get", params: #"{"name":"lab"}"#).result)
        let bobsID = try #require(bobs["last_action_uuid"] as? String)
        #expect(bobsID != oldID)
        let frames = try await Self.rawCall(as: .bob, socket: sandbox.socket, method: "action.logs", params: #"{"id":"\#(bobsID)"}"#)
        #expect(frames.last?.result?["finished"] as? Bool == true, "\(frames)")
        let lines = Array(frames.compactMap { ($0["params"] as? [String: Any])?["lines"] as? [String] }.joined())
        #expect(lines.contains("step 2 of 2"), "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("line ") })
        let history = try await TestUser.bob.ctl(["actions", "lab"], socket: sandbox.socket)
        #expect(history.stdout.contains(String(bobsID.prefix(8))))
        #expect(!history.stdout.contains(String(oldID.prefix(8))))
        #expect(try await daemon.stop() == 0)
    }

    /// Leaves what a crash between the old destroy's two removals left: the
    /// history without the deployment's record.
    static func removeOnlyTheRecord(_ name: String, store: String, in sandbox: Sandbox) throws {
        if store == "file" {
            try FileManager.default.removeItem(atPath: sandbox.state + "/deployments/\(name).json")
        } else {
            try executeSQL("DELETE FROM deployments WHERE name = '\(name)'", in: sandbox.state + "/testbedos.sqlite")
        }
    }

    /// One request sent as `user` by a client that is not testbedctl (the
    /// hostile client's `call`), so any method can be asked with any id.
    /// Returns every frame the daemon sent: stream chunks, then the answer.
    static func rawCall(as user: TestUser, socket: String, method: String, params: String) async throws -> [[String: Any]] {
        let request = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#
        let run = try await ProcessRun.run(
            "/usr/bin/setpriv",
            ["--reuid", String(user.uid), "--regid", String(user.uid),
             "--groups", user.groups.map(String.init).joined(separator: ","),
             "--", HostileClient.program, socket, "call", request])
        guard run.status == 0 else { throw ProcessRunError("the raw client failed (\(run.status)): \(run.stderr)") }
        return try run.stdout.split(separator: "\n").map { line in
            guard let frame = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ProcessRunError("the daemon sent a frame that is not an object: \(line)")
            }
            return frame
        }
    }

    /// Runs `sql` on the database at `path` through the system's libsqlite3
    /// (which testbedd needs anyway), loaded at run time: the tests need neither
    /// the sqlite3 program nor a library of their own.
    static func executeSQL(_ sql: String, in path: String) throws {
        guard let library = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL) else {
            throw ProcessRunError("cannot load libsqlite3.so.0: \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        defer { dlclose(library) }
        typealias Open = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<OpaquePointer?>) -> Int32
        typealias Execute = @convention(c) (
            OpaquePointer?, UnsafePointer<CChar>, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
            UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        ) -> Int32
        typealias Close = @convention(c) (OpaquePointer?) -> Int32
        guard let openSymbol = dlsym(library, "sqlite3_open"), let executeSymbol = dlsym(library, "sqlite3_exec"),
            let closeSymbol = dlsym(library, "sqlite3_close")
        else { throw ProcessRunError("libsqlite3.so.0 lacks sqlite3_open, sqlite3_exec or sqlite3_close") }
        let sqliteOpen = unsafeBitCast(openSymbol, to: Open.self)
        let sqliteExecute = unsafeBitCast(executeSymbol, to: Execute.self)
        let sqliteClose = unsafeBitCast(closeSymbol, to: Close.self)
        var database: OpaquePointer?
        defer { _ = sqliteClose(database) }
        guard sqliteOpen(path, &database) == 0 else { throw ProcessRunError("cannot open \(path) with libsqlite3") }
        var message: UnsafeMutablePointer<CChar>?
        guard sqliteExecute(database, sql, nil, nil, &message) == 0 else {
            throw ProcessRunError("\(sql) failed on \(path): \(message.map { String(cString: $0) } ?? "no message")")
        }
    }
}
