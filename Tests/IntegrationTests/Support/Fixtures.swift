import Foundation
import TestbedProtocol

/// The fixture orchestrator (a test double for kvm-compose) and helpers to
/// drive actions through the real daemon.
enum Fixtures {
    static let orchestrator: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fixture-orchestrator").path

    /// A daemon that runs the fixture orchestrator, with a short cancel grace.
    static func daemon(in sandbox: Sandbox, store: String = "file", extra: [String] = []) async throws -> DaemonProcess {
        try await DaemonProcess.start(
            in: sandbox, store: store, extra: ["--orchestrator", orchestrator, "--cancel-grace", "1"] + extra)
    }

    /// Creates deployment `name` whose fixture behaves as `behaviour` says.
    static func deployment(
        _ name: String, behaviour: String = "succeed", in sandbox: Sandbox, client: RPCConnection
    ) async throws -> String {
        let folder = try sandbox.project(name)
        try setBehaviour(behaviour, of: folder)
        let _: Deployment = try await client.call(
            RPCMethod.deploymentCreate, params: CreateParams(name: name, projectLocation: folder))
        return folder
    }

    static func setBehaviour(_ behaviour: String, of folder: String) throws {
        try Data((behaviour + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/behaviour"))
    }
}

/// What following a request's stream collected.
struct Followed<R: Decodable & Sendable>: Sendable {
    var lines: [String] = []
    var seqs: [Int] = []
    var result: R
}

extension RPCConnection {
    /// Calls a streaming method and collects its lines and result.
    func follow<P: Encodable & Sendable, R: Decodable & Sendable>(
        _ method: String, params: P, as type: R.Type = R.self
    ) async throws -> Followed<R> {
        let call = try start(method, params: params)
        var lines: [String] = []
        var seqs: [Int] = []
        for try await event in call.events {
            switch event {
            case .chunk(let chunk):
                lines += chunk.lines
                seqs.append(chunk.seq)
            case .result(let payload):
                return Followed(lines: lines, seqs: seqs, result: try RPCCall.decodeResult(payload, as: R.self))
            }
        }
        throw ProcessRunError("the stream ended without a result")
    }

    /// Polls `action.get` until the action has finished.
    func waitForAction(_ id: String, timeout: Duration = .seconds(30)) async throws -> ActionRecord {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let record: ActionRecord = try await call(RPCMethod.actionGet, params: ActionIDParams(id: id))
            if record.isFinished { return record }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessRunError("action \(id) did not finish within \(timeout)")
    }
}
