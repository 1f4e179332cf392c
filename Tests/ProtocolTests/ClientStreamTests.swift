import Foundation
import Testing
import TestbedProtocol

@Suite("RPCConnection against a scripted server", .timeLimit(.minutes(1)))
struct ClientStreamTests {
    /// What a call saw, in order.
    enum Seen: Equatable {
        case chunk(StreamChunk)
        case result(String)
    }

    struct Echo: Decodable, Equatable {
        let method: String
    }

    /// Runs `body` with a connection to a fresh server, and tears both down.
    private func withConnection(_ body: (RPCConnection) async throws -> Void) async throws {
        let server = try await ScriptedServer.start()
        do {
            let connection = try await RPCConnection.connect(unixSocketPath: server.socketPath)
            do {
                try await body(connection)
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func collect(_ call: RPCCall) async throws -> [Seen] {
        var seen: [Seen] = []
        for try await event in call.events {
            switch event {
            case .chunk(let chunk): seen.append(.chunk(chunk))
            case .result(let payload): seen.append(.result(utf8(payload)))
            }
        }
        return seen
    }

    @Test func chunksArriveInOrderBeforeTheResult() async throws {
        try await withConnection { connection in
            let call = try connection.start("deployment.up", params: NameParams(name: "web"))
            let seen = try await collect(call)
            #expect(seen == [
                .chunk(StreamChunk(id: call.id, seq: 0, lines: ["a", "b"])),
                .chunk(StreamChunk(id: call.id, seq: 1, lines: ["c"])),
                .result(#"{"id":\#(call.id),"jsonrpc":"2.0","result":{}}"#),
            ])
        }
    }

    @Test func resultSkipsChunks() async throws {
        try await withConnection { connection in
            let result = try await connection.call("anything", as: EmptyResult.self)
            #expect(result == EmptyResult())
        }
    }

    @Test func errorResponseThrowsRPCError() async throws {
        try await withConnection { connection in
            let call = try connection.start("fail")
            let error = await #expect(throws: RPCError.self) { _ = try await collect(call) }
            #expect(error?.code == .busy)
            #expect(error?.message == "an action is in progress")
            // The connection is still usable.
            #expect(try await connection.call("again", as: EmptyResult.self) == EmptyResult())
        }
    }

    @Test func responsesInReverseOrderReachTheRightCalls() async throws {
        try await withConnection { connection in
            let first = try connection.start("hold")
            let second = try connection.start("release")
            #expect(first.id != second.id)
            #expect(try await second.result(as: Echo.self) == Echo(method: "release"))
            #expect(try await first.result(as: Echo.self) == Echo(method: "hold"))
        }
    }

    @Test func concurrentStreamingCallsKeepTheirOwnChunks() async throws {
        try await withConnection { connection in
            let calls = try (0..<5).map { _ in try connection.start("stream") }
            for call in calls {
                let seen = try await collect(call)
                #expect(seen.count == 3)
                #expect(seen.dropLast() == [
                    .chunk(StreamChunk(id: call.id, seq: 0, lines: ["a", "b"])),
                    .chunk(StreamChunk(id: call.id, seq: 1, lines: ["c"])),
                ])
            }
        }
    }

    @Test func serverClosingFailsPendingCallsWithClosed() async throws {
        try await withConnection { connection in
            let pending = try connection.start("hold")
            let closing = try connection.start("close")
            for call in [pending, closing] {
                let error = await #expect(throws: RPCConnectionError.self) { _ = try await collect(call) }
                guard case .closed = error else {
                    Issue.record("expected .closed, got \(String(describing: error))")
                    continue
                }
            }
            // Once closed, new calls are refused at once.
            #expect(throws: RPCConnectionError.self) { _ = try connection.start("late") }
        }
    }

    @Test func closingTheConnectionFailsPendingCallsWithClosed() async throws {
        try await withConnection { connection in
            let pending = try connection.start("hold")
            await connection.close()
            let error = await #expect(throws: RPCConnectionError.self) { _ = try await collect(pending) }
            guard case .closed = error else {
                Issue.record("expected .closed, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func nullIDErrorThenCloseFailsPendingCallsWithThatError() async throws {
        try await withConnection { connection in
            let pending = try connection.start("hold")
            let poison = try connection.start("poison")
            for call in [pending, poison] {
                await #expect(throws: RPCError(.invalidRequest, "bad frame")) { _ = try await collect(call) }
            }
        }
    }

    @Test func aCallMadeAfterARefusalClosedTheConnectionGetsTheRefusal() async throws {
        try await withConnection { connection in
            let poisoned = try connection.start("poison")
            await #expect(throws: RPCError.self) {
                for try await _ in poisoned.events {}
            }
            // The connection is closed now; a call made after it says why, not just "closed".
            try await Task.sleep(for: .milliseconds(100))
            do {
                _ = try await connection.call("after", as: EmptyResult.self)
                Issue.record("a call on a closed connection succeeded")
            } catch let error as RPCError {
                #expect(error.message == "bad frame")
            }
        }
    }

    @Test func nullIDErrorAloneLeavesTheConnectionUsable() async throws {
        try await withConnection { connection in
            _ = try connection.start("complain")
            #expect(try await connection.call("after", as: EmptyResult.self) == EmptyResult())
        }
    }
}
