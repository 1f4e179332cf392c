import FoundationEssentials
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
            // Reads of up to 1 MiB, so that a large stream chunk mostly arrives in
            // one read instead of being gathered from many.
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 1 << 20))
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
            FrameEncoder(),
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
        channel.writeAndFlush(channel.allocator.framePayloadBuffer(payload)).whenFailure { [calls] _ in
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
        try await channel.writeAndFlush(channel.allocator.framePayloadBuffer(payload))
    }

    /// Asks the daemon to end one of this connection's requests (`rpc.cancel`).
    /// A request that streams ends with -32006; one that completes without
    /// waiting on anything is not affected.
    public func cancel(_ id: RequestID) async throws {
        try await notify(RPCNotification.cancel, params: CancelParams(id: id))
    }

    /// Closes the connection; calls still in flight fail with `RPCConnectionError.closed`.
    public func close() async {
        calls.failAll(RPCConnectionError.closed)
        try? await channel.close()
    }
}
