import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A client connection to testbedd over a Unix socket. Many calls may be in
/// flight at once; responses are matched to them by id, and `rpc.stream`
/// notifications are delivered to the call they belong to.
public final class RPCConnection: Sendable {
    private let channel: any Channel
    private let calls: PendingCalls

    private init(channel: any Channel, calls: PendingCalls) {
        self.channel = channel
        self.calls = calls
    }

    /// Connects to the daemon's socket at `path`.
    public static func connect(
        unixSocketPath path: String,
        maxFrameBytes: Int = 16 * FrameDecoder.defaultMaxFrameBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RPCConnection {
        let calls = PendingCalls()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try addFraming(to: channel, calls: calls, maxFrameBytes: maxFrameBytes) }
            }
            .connect(unixDomainSocketPath: path)
            .get()
        calls.attach(channel)
        return RPCConnection(channel: channel, calls: calls)
    }

    /// Connects over TCP to `host`:`port`. `secure` adds the handlers that sit
    /// between the socket and the framing (TLS) and returns a future that
    /// succeeds once the peer is verified: nothing is sent before it does.
    public static func connect(
        host: String, port: Int, connectTimeout: TimeAmount,
        maxFrameBytes: Int = FrameDecoder.defaultMaxFrameBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        secure: @escaping @Sendable (any Channel) throws -> EventLoopFuture<Void>
    ) async throws -> RPCConnection {
        let calls = PendingCalls()
        let ready = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let verified = try secure(channel)
                    ready.withLockedValue { $0 = verified }
                    try addFraming(to: channel, calls: calls, maxFrameBytes: maxFrameBytes)
                }
            }
            .connect(host: host, port: port)
            .get()
        do {
            try await ready.withLockedValue { $0 }!.get()
        } catch {
            try? await channel.close()
            throw error
        }
        calls.attach(channel)
        return RPCConnection(channel: channel, calls: calls)
    }

    private static func addFraming(to channel: any Channel, calls: PendingCalls, maxFrameBytes: Int) throws {
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)),
            MessageToByteHandler(FrameEncoder()),
            ResponseRouter(calls: calls),
        ])
    }

    /// Closes the connection now, from any thread: calls in flight fail with `RPCConnectionError.closed`.
    public func abort() {
        calls.failAll(RPCConnectionError.closed)
        channel.close(promise: nil)
    }

    /// Sends a request and returns the call, whose events carry its stream and result.
    public func start<P: Encodable & Sendable>(_ method: String, params: P?) throws -> RPCCall {
        let (id, events) = try calls.open()
        let payload: Data
        do {
            payload = try RPCMessage.request(id: id, method: method, params: params)
        } catch {
            calls.finish(id, with: .failure(error))
            throw error
        }
        channel.writeAndFlush(ByteBuffer(bytes: payload)).whenFailure { [calls] _ in
            calls.finish(id, with: .failure(RPCConnectionError.closed))
        }
        return RPCCall(id: id, events: RPCCallEvents(stream: events, consumed: { [calls] in calls.consumedChunk() }))
    }

    /// Sends a request without params.
    public func start(_ method: String) throws -> RPCCall {
        try start(method, params: NoParams?.none)
    }

    /// Calls `method` and waits for its result.
    public func call<P: Encodable & Sendable, R: Decodable>(
        _ method: String, params: P?, as type: R.Type = R.self
    ) async throws -> R {
        try await start(method, params: params).result(as: R.self)
    }

    /// Calls a method that takes no params and waits for its result.
    public func call<R: Decodable>(_ method: String, as type: R.Type = R.self) async throws -> R {
        try await start(method).result(as: R.self)
    }

    /// Sends a notification (no id, no response).
    public func notify<P: Encodable & Sendable>(_ method: String, params: P) async throws {
        let payload = try RPCMessage.request(id: nil, method: method, params: params)
        try await channel.writeAndFlush(ByteBuffer(bytes: payload))
    }

    /// Asks the daemon to end one of this connection's requests (`rpc.cancel`).
    /// A request that streams ends with -32006; one that completes without
    /// waiting on anything is not affected.
    public func cancel(_ id: RequestID) async throws {
        try await notify(RPCMethod.cancel, params: CancelParams(id: id))
    }

    /// Closes the connection; calls still in flight fail with `RPCConnectionError.closed`.
    public func close() async {
        calls.failAll(RPCConnectionError.closed)
        try? await channel.close()
    }
}

/// The calls in flight on one connection, shared by the caller's side and the
/// channel's inbound handler.
final class PendingCalls: Sendable {
    private struct State {
        var nextID: Int64 = 1
        var open: [RequestID: AsyncThrowingStream<RPCCallEvent, any Error>.Continuation] = [:]
        var closed = false
        /// The last error the daemon sent without an id, reported if the connection then closes.
        var refusal: RPCError?
        /// Stream chunks delivered but not yet read by their caller.
        var unread = 0
        var paused = false
        var channel: (any Channel)?
    }

    /// Past this many unread chunks the connection stops reading; below the low mark it reads again.
    static let highWater = 256
    static let lowWater = 64

    private let state = Locked(State())

    func attach(_ channel: any Channel) {
        state.withLock { $0.channel = channel }
    }

    func open() throws -> (RequestID, AsyncThrowingStream<RPCCallEvent, any Error>) {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: RPCCallEvent.self)
        let opened: Result<RequestID, any Error> = state.withLock { state in
            // A daemon that refused the connection may have said why and closed it
            // before the first call was even made: that reason, not "closed".
            guard !state.closed else { return .failure(state.refusal ?? RPCConnectionError.closed) }
            let id = RequestID.int(state.nextID)
            state.nextID += 1
            state.open[id] = continuation
            return .success(id)
        }
        return (try opened.get(), stream)
    }

    func deliver(_ chunk: StreamChunk) {
        let (continuation, pause) = state.withLock { state -> (AsyncThrowingStream<RPCCallEvent, any Error>.Continuation?, (any Channel)?) in
            guard let continuation = state.open[chunk.id] else { return (nil, nil) }
            state.unread += 1
            guard state.unread >= Self.highWater, !state.paused else { return (continuation, nil) }
            state.paused = true
            return (continuation, state.channel)
        }
        continuation?.yield(.chunk(chunk))
        pause?.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
    }

    /// A caller read a chunk; reading resumes once few are left unread.
    func consumedChunk() {
        let resume = state.withLock { state -> (any Channel)? in
            state.unread = max(0, state.unread - 1)
            guard state.paused, state.unread <= Self.lowWater else { return nil }
            state.paused = false
            return state.channel
        }
        resume?.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
    }

    func finish(_ id: RequestID, with outcome: Result<Data, any Error>) {
        guard let continuation = state.withLock({ $0.open.removeValue(forKey: id) }) else { return }
        switch outcome {
        case .success(let payload):
            continuation.yield(.result(payload))
            continuation.finish()
        case .failure(let error):
            continuation.finish(throwing: error)
        }
    }

    func noteRefusal(_ error: RPCError) {
        state.withLock { $0.refusal = error }
    }

    /// Fails every call in flight with the daemon's last refusal if it sent
    /// one (it says why the connection ends, better than the reset that may
    /// follow it), else with `error`, else with `RPCConnectionError.closed`.
    func failAll(_ error: (any Error)?) {
        let (open, reason) = state.withLock { state in
            state.closed = true
            defer { state.open.removeAll() }
            return (Array(state.open.values), state.refusal ?? error ?? RPCConnectionError.closed)
        }
        for continuation in open { continuation.finish(throwing: reason) }
    }
}

/// Routes each frame from the daemon to the call it answers.
final class ResponseRouter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let calls: PendingCalls

    init(calls: PendingCalls) { self.calls = calls }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = Data(Self.unwrapInboundIn(data).readableBytesView)
        guard let message = try? IncomingMessage.decode(payload) else { return }
        if message.method == RPCMethod.stream {
            if let chunk = try? JSONCoding.sharedDecoder.decode(ParamsEnvelope<StreamChunk>.self, from: payload).params {
                calls.deliver(chunk)
            }
        } else if let id = message.id {
            if let error = message.error {
                calls.finish(id, with: .failure(error))
            } else {
                calls.finish(id, with: .success(payload))
            }
        } else if let error = message.error {
            // An error with a null id answers no request. If the daemon is closing
            // the connection (a refused frame), it is why the calls in flight fail.
            calls.noteRefusal(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        calls.failAll(nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        calls.failAll(error)
        context.close(promise: nil)
    }
}
