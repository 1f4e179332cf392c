import NIOConcurrencyHelpers
import NIOCore

/// A connection held in memory on a real event loop, for the fuzzers: bytes
/// go in through `receive`, whatever the pipeline writes is kept for `takeWritten`.
/// Like NIO's `EmbeddedChannel`, but on a thread-safe loop, so the daemon's
/// blocking pool and action tasks can complete requests on it as they do on a socket.
/// Every method but the thread-safe `Channel` properties runs on `eventLoop`.
final class FuzzChannel: Channel, ChannelCore, @unchecked Sendable {
    let eventLoop: any EventLoop
    let allocator = ByteBufferAllocator()
    private var _pipeline: ChannelPipeline!
    private let closePromise: EventLoopPromise<Void>
    private let active = NIOLockedValueBox(false)
    private let peer: SocketAddress?
    private let allowsHalfClosure: Bool
    /// Written and flushed, not yet taken.
    private var written: [ByteBuffer] = []
    private var pending: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    /// Bytes that reached the end of the pipeline (a TLS client's plaintext, say).
    private(set) var received: [ByteBuffer] = []
    /// Errors that reached the end of the pipeline.
    private(set) var errors: [any Error] = []
    private var open = true
    /// False once the pipeline shut down its writing side (`close(mode: .output)`).
    private var outputOpen = true

    /// A channel on `eventLoop` whose peer is at `remoteAddress`; call
    /// `activate` on the loop before using it. `allowsHalfClosure` as the
    /// daemon sets it on the connections it serves.
    init(on eventLoop: any EventLoop, remoteAddress: SocketAddress? = nil, allowsHalfClosure: Bool = true) {
        self.eventLoop = eventLoop
        self.peer = remoteAddress
        self.allowsHalfClosure = allowsHalfClosure
        closePromise = eventLoop.makePromise()
        _pipeline = ChannelPipeline(channel: self)
    }

    /// Registers the channel and makes it active, as an accepted connection is.
    func activate() {
        eventLoop.preconditionInEventLoop()
        active.withLockedValue { $0 = true }
        pipeline.syncOperations.fireChannelRegistered()
        pipeline.syncOperations.fireChannelActive()
    }

    /// Delivers `bytes` as one read, as a socket read would.
    func receive(_ bytes: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        guard open else { return }
        pipeline.syncOperations.fireChannelRead(NIOAny(bytes))
        pipeline.syncOperations.fireChannelReadComplete()
    }

    /// The peer shut down its writing side.
    func receiveEnd() {
        eventLoop.preconditionInEventLoop()
        guard open else { return }
        pipeline.syncOperations.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }

    /// The bytes written and flushed since the last call.
    func takeWritten() -> [ByteBuffer] {
        eventLoop.preconditionInEventLoop()
        defer { written.removeAll() }
        return written
    }

    var isOpen: Bool {
        eventLoop.preconditionInEventLoop()
        return open
    }

    // MARK: Channel

    var pipeline: ChannelPipeline { _pipeline }
    var closeFuture: EventLoopFuture<Void> { closePromise.futureResult }
    var localAddress: SocketAddress? { nil }
    var remoteAddress: SocketAddress? { peer }
    var parent: (any Channel)? { nil }
    var isWritable: Bool { true }
    var isActive: Bool { active.withLockedValue { $0 } }
    var _channelCore: any ChannelCore { self }
    var syncOptions: (any NIOSynchronousChannelOptions)? { Options(allowsHalfClosure: allowsHalfClosure) }

    func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) -> EventLoopFuture<Void> {
        eventLoop.makeCompletedFuture { try Options(allowsHalfClosure: allowsHalfClosure).setOption(option, value: value) }
    }

    func getOption<Option: ChannelOption>(_ option: Option) -> EventLoopFuture<Option.Value> {
        eventLoop.makeCompletedFuture { try Options(allowsHalfClosure: allowsHalfClosure).getOption(option) }
    }

    /// The options: reading always on, half-closure as set; setting one changes nothing.
    private struct Options: NIOSynchronousChannelOptions {
        let allowsHalfClosure: Bool

        func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) throws {}

        func getOption<Option: ChannelOption>(_ option: Option) throws -> Option.Value {
            if option is ChannelOptions.Types.AutoReadOption { return true as! Option.Value }
            if option is ChannelOptions.Types.AllowRemoteHalfClosureOption { return allowsHalfClosure as! Option.Value }
            throw ChannelError.operationUnsupported
        }
    }

    // MARK: ChannelCore

    func localAddress0() throws -> SocketAddress { throw ChannelError.operationUnsupported }

    func remoteAddress0() throws -> SocketAddress {
        guard let peer else { throw ChannelError.operationUnsupported }
        return peer
    }

    func register0(promise: EventLoopPromise<Void>?) { promise?.succeed() }

    func registerAlreadyConfigured0(promise: EventLoopPromise<Void>?) { promise?.succeed() }

    func bind0(to: SocketAddress, promise: EventLoopPromise<Void>?) { promise?.fail(ChannelError.operationUnsupported) }

    func connect0(to: SocketAddress, promise: EventLoopPromise<Void>?) { promise?.fail(ChannelError.operationUnsupported) }

    func write0(_ data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard open && outputOpen else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        pending.append((unwrapData(data, as: ByteBuffer.self), promise))
    }

    func flush0() {
        let flushed = pending
        pending.removeAll()
        for (bytes, promise) in flushed {
            written.append(bytes)
            promise?.succeed()
        }
    }

    func read0() {}

    func close0(error: any Error, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard open else {
            promise?.fail(ChannelError.alreadyClosed)
            return
        }
        switch mode {
        case .output:
            // A socket's shutdown(SHUT_WR): what is written already goes out, reading goes on.
            flush0()
            outputOpen = false
            promise?.succeed()
            return
        case .input:
            promise?.fail(ChannelError.operationUnsupported)
            return
        case .all:
            break
        }
        open = false
        active.withLockedValue { $0 = false }
        let unwritten = pending
        pending.removeAll()
        for (_, promise) in unwritten { promise?.fail(ChannelError.ioOnClosedChannel) }
        promise?.succeed()
        pipeline.syncOperations.fireChannelInactive()
        pipeline.syncOperations.fireChannelUnregistered()
        // Later, as a socket does: the code that closed may still be walking the pipeline.
        eventLoop.execute {
            self.removeHandlers(pipeline: self.pipeline)
            self.closePromise.succeed()
        }
    }

    func triggerUserOutboundEvent0(_ event: Any, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    func channelRead0(_ data: NIOAny) {
        if let bytes = tryUnwrapData(data, as: ByteBuffer.self) { received.append(bytes) }
    }

    func errorCaught0(error: any Error) {
        errors.append(error)
    }
}
