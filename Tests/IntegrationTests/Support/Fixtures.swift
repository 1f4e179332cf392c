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
    /// The text as a terminal would show it (`StreamChunk.text`, one after the other).
    var text: [UInt8] = []
    var seqs: [Int] = []
    var result: R
}

extension RPCConnection {
    /// Connects and, unless `format` is nil, asks for that stream format in `rpc.hello`.
    static func connect(unixSocketPath path: String, streamFormat format: StreamFormat?) async throws -> RPCConnection {
        let connection = try await connect(unixSocketPath: path)
        guard let format else { return connection }
        let hello: HelloResult = try await connection.call(RPCMethod.hello, params: HelloParams(streamFormats: [format]))
        guard hello.streamFormat == format.rawValue else { throw ProcessRunError("asked for \(format), got \(hello.streamFormat ?? "nothing")") }
        return connection
    }

    /// Calls a streaming method and collects its lines and result.
    func follow<P: Encodable & Sendable, R: Decodable & Sendable>(
        _ method: String, params: P, as type: R.Type = R.self
    ) async throws -> Followed<R> {
        let call = try start(method, params: params)
        var lines: [String] = []
        var text: [UInt8] = []
        var seqs: [Int] = []
        for try await event in call.events {
            switch event {
            case .chunk(let chunk):
                lines += chunk.lines
                text += chunk.text
                seqs.append(chunk.seq)
            case .result(let payload):
                return Followed(lines: lines, text: text, seqs: seqs, result: try RPCCall.decodeResult(payload, as: R.self))
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
