import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOExtras
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// `ConnectionHandler` on an `EmbeddedChannel`: framing in and out, ids in
/// flight, authorization before dispatch, streams and `rpc.cancel`, half-close
/// and shutdown, driven by a method table whose bodies the tests control.
@Suite struct ConnectionHandlerTests {
    /// What the test's method bodies left for the test to finish.
    final class Controls: @unchecked Sendable {
        var pending: [EventLoopPromise<Deployment>] = []
        var streams: [RequestStream] = []
        var cancelledStreams = 0
    }

    static let deployment = Deployment(name: "lab", projectLocation: "/p", state: .down, createdAt: Date(timeIntervalSince1970: 0))

    /// A table serving `rpc.ping` now, `deployment.get` later (the test
    /// completes it), `action.logs` as a stream, `deployment.up` (which only
    /// an operator reaches) and `cluster.heartbeat` (only over the bridge).
    static func table(_ controls: Controls) -> MethodTable {
        var table = MethodTable()
        table.register(RPCMethod.ping) { _ in .now(EmptyResult()) }
        table.register(RPCMethod.deploymentGet) { params, context in
            let promise = context.eventLoop.makePromise(of: Deployment.self)
            controls.pending.append(promise)
            return .later(promise.futureResult)
        }
        table.register(RPCMethod.actionLogs) { params, _ in
            .stream { stream in
                stream.onCancel = { controls.cancelledStreams += 1 }
                controls.streams.append(stream)
                stream.send(lines: ["first line"])
            }
        }
        table.register(RPCMethod.deploymentUp) { _, _ in .now(ActionStarted(actionID: "a1")) }
        table.register(RPCMethod.clusterHeartbeat) { _ in .now(EmptyResult()) }
        return table
    }

    /// Counts the flushes that reach the socket.
    final class FlushCounter: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = ByteBuffer
        var flushes = 0
        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    struct Connection {
        let channel: EmbeddedChannel
        let controls: Controls
        let flushes: FlushCounter

        /// Sends one request frame.
        func send(_ json: String) throws {
            var buffer = channel.allocator.buffer(capacity: json.utf8.count + 4)
            buffer.writeInteger(UInt32(json.utf8.count))
            buffer.writeString(json)
            try channel.writeInbound(buffer)
        }

        /// Every message written to the client so far, decoded.
        func answers() throws -> [[String: Any]] {
            var messages: [[String: Any]] = []
            while var frame = try channel.readOutbound(as: ByteBuffer.self) {
                while frame.readableBytes >= 4, let length = frame.readInteger(as: UInt32.self),
                    let payload = frame.readBytes(length: Int(length))
                {
                    messages.append(try JSONSerialization.jsonObject(with: Data(payload)) as! [String: Any])
                }
            }
            return messages
        }
    }

    static func connect(
        listener: ListenerKind = .readWrite, role: Role = .operator, maxInFlight: Int = 4
    ) throws -> Connection {
        let controls = Controls()
        let caller = Caller(peer: PeerCredentials(pid: 4242, uid: 1000, gid: 1000), listener: listener, role: role)
        let authorizer = Authorizer(
            policy: AccessPolicy(adminGID: nil, readWriteSocket: "/run/testbedos/testbedd.sock"), askPolkit: nil,
            logger: Logger(label: "test"))
        let bounds = ConnectionHandler.Bounds(
            maxInFlight: maxInFlight, outputBytes: 1 << 20, budget: OutputBudget(limit: 1 << 24), privileged: false,
            frameTimeout: .seconds(5))
        let channel = EmbeddedChannel()
        let flushes = FlushCounter()
        try channel.pipeline.syncOperations.addHandlers([
            flushes,
            ByteToMessageHandler(ServerFrameDecoder(maxFrameBytes: 4096)),
            FrameEncoder(),
            ConnectionHandler(
                methods: table(controls), caller: caller, authorizer: authorizer, logger: Logger(label: "test"), bounds: bounds),
        ])
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/x")).wait()
        return Connection(channel: channel, controls: controls, flushes: flushes)
    }

    @Test func aConnectionHasAtMost32StreamsOpen() throws {
        let connection = try Self.connect(maxInFlight: 64)
        for id in 1...ConnectionHandler.maxStreams {
            try connection.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"action.logs","params":{"id":"a1"}}"#)
        }
        #expect(connection.controls.streams.count == ConnectionHandler.maxStreams)
        _ = try connection.answers()
        try connection.send(#"{"jsonrpc":"2.0","id":99,"method":"action.logs","params":{"id":"a1"}}"#)
        let refused = try connection.answers()
        #expect(refused.first?["id"] as? Int == 99)
        #expect((refused.first?["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.busy.rawValue)
        #expect(connection.controls.streams.count == ConnectionHandler.maxStreams)
    }

    @Test func theAnswersToOneReadAreFlushedOnceAndLaterAnswersAtOnce() throws {
        let connection = try Self.connect()
        var burst = connection.channel.allocator.buffer(capacity: 256)
        for id in 1...3 {
            let json = #"{"jsonrpc":"2.0","id":\#(id),"method":"rpc.ping"}"#
            burst.writeInteger(UInt32(json.utf8.count))
            burst.writeString(json)
        }
        let json = #"{"jsonrpc":"2.0","id":4,"method":"deployment.get","params":{"name":"lab"}}"#
        burst.writeInteger(UInt32(json.utf8.count))
        burst.writeString(json)
        let before = connection.flushes.flushes
        try connection.channel.writeInbound(burst)
        #expect(try connection.answers().compactMap { $0["id"] as? Int } == [1, 2, 3])
        #expect(connection.flushes.flushes == before + 1)
        // Completed outside a read: written and flushed at once.
        connection.controls.pending[0].succeed(Self.deployment)
        #expect(try connection.answers().compactMap { $0["id"] as? Int } == [4])
        #expect(connection.flushes.flushes == before + 2)
    }

    @Test func answersComeUnderTheirIdsInWhateverOrderTheyComplete() throws {
        let connection = try Self.connect()
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":"lab"}}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":"two","method":"rpc.ping"}"#)
        var answers = try connection.answers()
        #expect(answers.count == 1)
        #expect(answers.first?["id"] as? String == "two")
        connection.controls.pending[0].succeed(Self.deployment)
        answers = try connection.answers()
        #expect(answers.first?["id"] as? Int == 1)
        #expect((answers.first?["result"] as? [String: Any])?["name"] as? String == "lab")
    }

    @Test func anIdInFlightCannotBeReusedAndTooManyInFlightAreBusy() throws {
        let connection = try Self.connect(maxInFlight: 2)
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":"lab"}}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#)
        let reused = try connection.answers()
        #expect(reused.first?["id"] is NSNull)
        #expect((reused.first?["error"] as? [String: Any])?["code"] as? Int == -32600)
        try connection.send(#"{"jsonrpc":"2.0","id":2,"method":"deployment.get","params":{"name":"lab"}}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":3,"method":"rpc.ping"}"#)
        let busy = try connection.answers()
        #expect(busy.first?["id"] as? Int == 3)
        #expect((busy.first?["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.busy.rawValue)
        for promise in connection.controls.pending { promise.succeed(Self.deployment) }
        #expect(try connection.answers().compactMap { $0["id"] as? Int }.sorted() == [1, 2])
    }

    @Test func theAuthorizerDecidesBeforeTheMethodRunsOrItsParamsAreRead() throws {
        let connection = try Self.connect(listener: .readOnly, role: .reader)
        // Role before params (step 10 before 11): an unknown field is not what is reported.
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"deployment.up","params":{"nme":"lab"}}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":2,"method":"cluster.heartbeat"}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":3,"method":"nope"}"#)
        let answers = try connection.answers()
        let codes = answers.map { ($0["error"] as? [String: Any])?["code"] as? Int }
        #expect(codes == [-32004, -32004, -32601])
        #expect(((answers[0]["error"] as? [String: Any])?["message"] as? String)?.contains("read-only socket") == true)
    }

    @Test func rpcCancelEndsAStreamAndOnlyAStream() throws {
        let connection = try Self.connect()
        try connection.send(#"{"jsonrpc":"2.0","id":7,"method":"action.logs","params":{"id":"a1","follow":true}}"#)
        let chunk = try connection.answers()
        #expect(chunk.first?["method"] as? String == "rpc.stream")
        #expect((chunk.first?["params"] as? [String: Any])?["lines"] as? [String] == ["first line"])
        try connection.send(#"{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":99}}"#)
        #expect(try connection.answers().isEmpty)
        try connection.send(#"{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":7}}"#)
        let cancelled = try connection.answers()
        #expect(cancelled.first?["id"] as? Int == 7)
        #expect((cancelled.first?["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.requestCancelled.rawValue)
        #expect(connection.controls.cancelledStreams == 1)
    }

    @Test func aClientThatClosesItsSideStillGetsItsAnswersThenTheConnectionCloses() throws {
        let connection = try Self.connect()
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":"lab"}}"#)
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(connection.channel.isActive)
        connection.controls.pending[0].succeed(Self.deployment)
        #expect(try connection.answers().first?["id"] as? Int == 1)
        connection.channel.embeddedEventLoop.run()
        #expect(!connection.channel.isActive)
    }

    @Test func atShutdownStreamsEndInFlightRequestsAreAnsweredAndNothingNewIsServed() throws {
        let connection = try Self.connect()
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":"lab"}}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":2,"method":"action.logs","params":{"id":"a1","follow":true}}"#)
        _ = try connection.answers()
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        let ended = try connection.answers()
        #expect(ended.first?["id"] as? Int == 2)
        #expect(((ended.first?["error"] as? [String: Any])?["message"] as? String)?.contains("shutting down") == true)
        #expect(connection.controls.cancelledStreams == 1)
        #expect(connection.channel.isActive)
        connection.controls.pending[0].succeed(Self.deployment)
        #expect(try connection.answers().first?["id"] as? Int == 1)
        connection.channel.embeddedEventLoop.run()
        #expect(!connection.channel.isActive)
    }
}
