import Foundation
import Logging
import NIOCore
import NIOExtras
import TestbedProtocol

/// Serves one client connection on its event loop: reads requests from frames,
/// dispatches them, writes responses in whatever order they complete, handles
/// `rpc.cancel`, and answers a refused frame with one error before closing.
///
/// What a client can make it hold is bounded: once `outputBytes` of answers
/// wait for the client to read them (or the daemon's whole `OutputBudget` is
/// taken), no further request is served and nothing more is read until they
/// drain; a frame must be complete within `frameTimeout` of its first byte; a
/// connection idle with nothing in flight is closed.
final class ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What streams are ended with when the daemon stops (`ChannelShouldQuiesceEvent`):
    /// what becomes of the running actions.
    enum ShutdownNotice {
        static let cancellingActions = "testbedd is shutting down; running actions are being cancelled and their outcome recorded"
        static let actionsGoOn = "testbedd is shutting down; running actions go on under systemd: follow them again once testbedd is back"
    }

    /// The bounds one connection is held to.
    struct Bounds: Sendable {
        /// Requests in flight before the next is refused as busy.
        var maxInFlight: Int
        /// Output queued for the client before its requests wait.
        var outputBytes: Int
        /// The whole daemon's queued output.
        var budget: OutputBudget
        /// uid 0 or an admin: never held by the daemon's budget (still counted in it).
        var privileged: Bool
        /// A frame's bytes must all arrive within this, from its first.
        var frameTimeout: TimeAmount
    }

    private let methods: MethodTable
    private let caller: Caller
    /// Decides who may call what, before dispatch.
    private let authorizer: Authorizer
    /// polkit's answers for this connection.
    private let polkitGrants = PolkitGrants()
    /// The last write, so closing waits until everything written has gone out.
    private var lastWrite: EventLoopFuture<Void>?

    /// Requests one connection may have in flight before it is told to wait.
    static let defaultMaxInFlight = 1024
    /// Streams (log followers, event watches) one connection may have open.
    static let maxStreams = 32
    /// A stream holds a chunk read ahead beyond the output bound; one per connection.
    private var readAheadHeld = false
    private let bounds: Bounds
    private var maxInFlight: Int { bounds.maxInFlight }
    private let logger: Logger
    /// Frames received but not served yet: they wait while the client's output is full.
    private var pending = CircularBuffer<ByteBuffer>()
    /// Bytes written to the client and not yet taken by it.
    private var queuedOutput = 0
    /// Reading is stopped until queued output drains.
    private var paused = false
    /// Waiting for the daemon's output budget to have room.
    private var waitingForBudget = false
    /// The clock of the frame being received.
    private var frameClock = FrameClock.idle

    /// How long the frame being received has left to arrive whole.
    private enum FrameClock {
        /// No frame is partly received.
        case idle
        /// A frame is partly received; `task` closes the connection at `ends`.
        case running(ends: NIODeadline, task: Scheduled<Void>)
        /// A frame is partly received while the daemon does not read (the client
        /// cannot send then): the clock waits with the time it had left.
        case stopped(left: TimeAmount)
    }
    /// Requests whose answer is not written yet. Only touched on the event loop.
    private var inFlight: Set<RequestID> = []
    /// The streaming requests among them.
    private var streams: [RequestID: RequestStream] = [:]
    /// The client shut down its writing side: close once everything is answered.
    private var inputClosed = false
    /// The daemon is stopping: end streams, finish the rest, close.
    private var shuttingDown = false
    /// Why streams end when the daemon stops.
    private let shutdownNotice: String
    /// What the client agreed in `rpc.hello`.
    let session = ConnectionSession()
    /// Inside a read burst, answers are written and flushed once, when the burst ends.
    private var inReadBurst = false
    /// Written and not yet flushed.
    private var unflushed = false

    init(
        methods: MethodTable, caller: Caller, authorizer: Authorizer, logger: Logger, bounds: Bounds,
        shutdownNotice: String = ShutdownNotice.cancellingActions
    ) {
        self.bounds = bounds
        self.shutdownNotice = shutdownNotice
        self.methods = methods
        self.caller = caller
        self.authorizer = authorizer
        self.logger = logger
    }

    private var peer: PeerCredentials { caller.peer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(Self.unwrapInboundIn(data))
        inReadBurst = true
        serveWaitingFrames(context: context)
    }

    /// One flush for every answer the read burst produced.
    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// True while the client's output and the daemon's budget have room for more answers.
    private var hasOutputRoom: Bool {
        queuedOutput < bounds.outputBytes && bounds.budget.hasRoom(privileged: bounds.privileged)
    }

    /// Serves received frames while there is room for their answers; stops reading when there is not.
    private func serveWaitingFrames(context: ChannelHandlerContext) {
        while !shuttingDown, hasOutputRoom, let frame = pending.popFirst() {
            serve(frame, context: context)
        }
        if shuttingDown { pending.removeAll() }
        if !pending.isEmpty || !hasOutputRoom {
            pause(context: context)
        } else if inputClosed {
            closeIfDrained(context: context)
        }
    }

    /// Stops reading (and the frame clock, since the client cannot send) until output drains.
    private func pause(context: ChannelHandlerContext) {
        guard !paused else { return }
        paused = true
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        if case .running(let ends, let task) = frameClock {
            task.cancel()
            frameClock = .stopped(left: max(.zero, ends - .now()))
        }
        waitForRoom(context: context)
    }

    /// When the connection has nothing queued, only the daemon's budget can be
    /// what is full: ask to be woken when it has room.
    private func waitForRoom(context: ChannelHandlerContext) {
        guard queuedOutput < bounds.outputBytes, !waitingForBudget else { return }
        waitingForBudget = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        bounds.budget.wait(ObjectIdentifier(self), on: context.eventLoop, privileged: bounds.privileged) {
            let (handler, context) = loopBound.value
            handler.waitingForBudget = false
            handler.resumeIfRoom(context: context)
        }
    }

    /// Output drained: serve what waited, then read again.
    private func resumeIfRoom(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        // Hysteresis: a paused connection waits until half its output is taken,
        // rather than resuming for every answer.
        if paused, queuedOutput > bounds.outputBytes / 2 { return }
        guard hasOutputRoom else {
            if paused { waitForRoom(context: context) }
            return
        }
        for stream in Array(streams.values) { stream.writable() }
        guard paused else { return }
        paused = false
        serveWaitingFrames(context: context)
        guard !paused, !shuttingDown else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        if case .stopped(let left) = frameClock { startFrameClock(context: context, timeLeft: left) }
    }

    private func startFrameClock(context: ChannelHandlerContext, timeLeft: TimeAmount) {
        stopFrameClock()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(in: timeLeft) {
            let (handler, context) = loopBound.value
            handler.frameClock = .idle
            handler.frameTimedOut(context: context)
        }
        frameClock = .running(ends: .now() + timeLeft, task: task)
    }

    /// No frame is partly received any more.
    private func stopFrameClock() {
        if case .running(_, let task) = frameClock { task.cancel() }
        frameClock = .idle
    }

    private func frameTimedOut(context: ChannelHandlerContext) {
        logger.notice("closing a connection whose frame was not complete within frame_timeout", metadata: [
            "uid": "\(peer.uid)", "pid": "\(peer.pid)", "socket": "\(caller.listener.rawValue)",
        ])
        let refusal = RPCError(.invalidRequest, "a frame must arrive whole within \(bounds.frameTimeout) of its first byte (frame_timeout); closing the connection")
        writeAndClose(RPCMessage.errorResponse(id: nil, error: refusal), context: context)
    }

    /// Sends a last message, then closes.
    private func writeAndClose(_ payload: Data, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.framePayloadBuffer(payload)))
            .whenComplete { _ in loopBound.value.close(promise: nil) }
        // Not waiting for a client that does not read: it gets what the socket takes.
        context.eventLoop.scheduleTask(in: .seconds(1)) { loopBound.value.close(promise: nil) }
    }

    /// Serves one frame.
    private func serve(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        let payload = Data(frame.readableBytesView)
        let request: ParsedRequest
        do {
            request = try ParsedRequest.parse(payload)
        } catch {
            logger.debug("refused a frame", metadata: ["error": "\(error.error.message)", "uid": "\(peer.uid)"])
            write(RPCMessage.errorResponse(id: error.id, error: error.error), context: context)
            return
        }
        guard let id = request.id else {
            handleNotification(request, context: context)
            return
        }
        guard inFlight.count < maxInFlight else {
            write(RPCMessage.errorResponse(id: id, error: RPCError(
                .busy, "this connection has \(maxInFlight) requests in flight; wait for answers before sending more")), context: context)
            return
        }
        guard !inFlight.contains(id) else {
            // Answered without an id: an answer under this id would be taken for
            // the answer to the request still in flight.
            write(RPCMessage.errorResponse(id: nil, error: RPCError(
                .invalidRequest, "request id \(id) is already in use by a request in flight; use a new id")), context: context)
            return
        }
        guard let entry = methods.entry(request.method) else {
            answer(request, id: id, .failure(authorizer.unknown(request.method, for: caller)), context: context)
            return
        }
        switch authorizer.decide(entry.method, for: caller, grants: polkitGrants, on: context.eventLoop) {
        case .allowed(let caller):
            dispatch(request, id: id, entry: entry, caller: caller, context: context)
        case .refused(let refusal):
            answer(request, id: id, .failure(refusal), context: context)
        case .pending(let decision):
            inFlight.insert(id)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            decision.whenSuccess { decided in
                let (handler, context) = loopBound.value
                guard handler.inFlight.remove(id) != nil else { return }
                switch decided {
                case .success where handler.shuttingDown:
                    // Decided after the daemon began to stop: nothing new is served.
                    handler.answer(request, id: id, .failure(RPCError(.requestCancelled, handler.shutdownNotice)), context: context)
                case .success(let caller):
                    handler.dispatch(request, id: id, entry: entry, caller: caller, context: context)
                case .failure(let refusal):
                    handler.answer(request, id: id, .failure(refusal), context: context)
                }
                handler.closeIfDrained(context: context)
            }
        }
    }

    /// Serves a request the authorizer allowed.
    private func dispatch(
        _ request: ParsedRequest, id: RequestID, entry: MethodTable.Entry, caller: Caller, context: ChannelHandlerContext
    ) {
        let requestContext = RequestContext(
            caller: caller, requestID: id, method: entry.method, eventLoop: context.eventLoop, session: session)
        switch entry.body(request, requestContext) {
        case .now(let result):
            answer(request, id: id, result, context: context)
        case .later(let future):
            inFlight.insert(id)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            future.whenComplete { outcome in
                let (handler, context) = loopBound.value
                // A request cancelled meanwhile has been answered already.
                guard handler.inFlight.remove(id) != nil else { return }
                handler.answer(request, id: id, outcome.mapError(RPCError.init(wire:)), context: context)
                handler.closeIfDrained(context: context)
            }
        case .stream where streams.count >= Self.maxStreams:
            answer(request, id: id, .failure(RPCError(
                .busy, "this connection has \(Self.maxStreams) streams open (log follows, event watches); end one (rpc.cancel) or use another connection")),
                context: context)
        case .stream(let body):
            methods.metrics?.streamed(request.method)
            inFlight.insert(id)
            let stream = RequestStream(id: id, connection: self, context: context)
            streams[id] = stream
            body(stream)
        }
    }

    /// A stream wrote its final answer.
    func streamEnded(_ id: RequestID, _ result: Result<Data, RPCError>, context: ChannelHandlerContext) {
        streams.removeValue(forKey: id)
        guard inFlight.remove(id) != nil else { return }
        respond(id: id, result, context: context)
        closeIfDrained(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A disconnect ends this client's streams, and nothing else.
        let ended = streams
        streams.removeAll()
        inFlight.removeAll()
        pending.removeAll()
        stopFrameClock()
        bounds.budget.cancelWait(ObjectIdentifier(self))
        for stream in ended.values { stream.cancelled() }
        context.fireChannelInactive()
    }

    private func handleNotification(_ request: ParsedRequest, context: ChannelHandlerContext) {
        // Only `rpc.cancel` means anything as a notification; JSON-RPC forbids
        // answering one, so anything else is dropped (and logged for debugging).
        guard request.method == RPCNotification.cancel else {
            logger.debug("ignored a notification", metadata: ["method": "\(request.method)"])
            return
        }
        guard let params = try? request.decodeParams(as: CancelParams.self) else { return }
        // Only streams wait on something a client can give up on; a request that
        // completes by itself (a disk write) is not affected.
        guard let stream = streams.removeValue(forKey: params.id) else {
            logger.debug("rpc.cancel of a request that is not a stream in flight", metadata: ["id": "\(params.id)"])
            return
        }
        inFlight.remove(params.id)
        respond(id: params.id, .failure(RPCError(
            .requestCancelled, "request \(params.id) was cancelled by the client")), context: context)
        stream.cancelled()
        closeIfDrained(context: context)
    }

    /// Answers `request`; every refusal (-32004) is logged first, whoever decided it.
    private func answer(
        _ request: ParsedRequest, id: RequestID, _ result: Result<Data, RPCError>, context: ChannelHandlerContext
    ) {
        if case .failure(let error) = result, error.code == .permissionDenied { refused(request, error) }
        if let metrics = methods.metrics {
            let code: Int? = if case .failure(let error) = result { Int(error.code.rawValue) } else { nil }
            metrics.answered(request.method, code: code, elapsed: .now() - request.receivedAt)
        }
        respond(id: id, result, context: context)
    }

    /// Every refusal is logged with who asked for what.
    private func refused(_ request: ParsedRequest, _ error: RPCError) {
        logger.notice("refused: \(error.message)", metadata: [
            "method": "\(request.method)", "uid": "\(peer.uid)", "pid": "\(peer.pid)",
            "deployment": "\(request.nameParameter ?? "-")", "socket": "\(caller.listener.rawValue)",
            "chassis": "\(caller.bridgePeer?.chassis ?? "-")",
        ])
    }

    private func respond(id: RequestID, _ result: Result<Data, RPCError>, context: ChannelHandlerContext) {
        switch result {
        case .success(let encoded):
            write(payload: RPCMessage.response(id: id, encodedResult: encoded, allocator: context.channel.allocator), context: context)
        case .failure(let error):
            write(RPCMessage.errorResponse(id: id, error: error), context: context)
        }
    }

    /// True while a stream may send more: the client's output has room. When
    /// only the daemon's budget is full, the connection asks to be woken.
    func streamMayWrite(context: ChannelHandlerContext) -> Bool {
        if !paused, hasOutputRoom { return true }
        waitForRoom(context: context)
        return false
    }

    /// True when the client's own output bound is full (not only the daemon's budget).
    func streamOutputIsFull() -> Bool { queuedOutput >= bounds.outputBytes }

    /// Takes the connection's one place for a chunk read ahead while its output
    /// is full; false when another stream holds it.
    func claimReadAhead() -> Bool {
        guard !readAheadHeld else { return false }
        readAheadHeld = true
        return true
    }

    func releaseReadAhead() { readAheadHeld = false }

    /// Writes one message, counting it against the connection's and the
    /// daemon's output until the client has taken it.
    func write(_ payload: Data, context: ChannelHandlerContext) {
        write(payload: context.channel.allocator.framePayloadBuffer(payload), context: context)
    }

    /// Writes one message's payload (best made with room for the frame header:
    /// `framePayloadBuffer`). Within a read burst it is flushed when the burst
    /// ends; otherwise at once.
    func write(payload: ByteBuffer, context: ChannelHandlerContext) {
        let size = payload.readableBytes + FrameEncoder.headerBytes
        queuedOutput += size
        bounds.budget.take(size)
        let written = context.eventLoop.makePromise(of: Void.self)
        if inReadBurst {
            context.write(Self.wrapOutboundOut(payload), promise: written)
            unflushed = true
        } else {
            context.writeAndFlush(Self.wrapOutboundOut(payload), promise: written)
        }
        lastWrite = written.futureResult
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            let (handler, context) = loopBound.value
            handler.queuedOutput -= size
            handler.bounds.budget.giveBack(size)
            handler.resumeIfRoom(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let progress = event as? ServerFrameDecoder.FramePending {
            switch progress {
            case .started where paused: frameClock = .stopped(left: bounds.frameTimeout)
            case .started: startFrameClock(context: context, timeLeft: bounds.frameTimeout)
            case .cleared: stopFrameClock()
            }
        } else if event is IdleStateHandler.IdleStateEvent {
            // Idle: no byte either way for the idle timeout. A connection still
            // owed an answer, or following something, is waiting, not idle.
            guard inFlight.isEmpty, streams.isEmpty else { return }
            logger.debug("closing an idle connection", metadata: ["uid": "\(peer.uid)", "socket": "\(caller.listener.rawValue)"])
            context.close(promise: nil)
        } else if case .inputClosed = event as? ChannelEvent {
            // The client sent all it will send: answer what is in flight, then close.
            inputClosed = true
            closeIfDrained(context: context)
        } else if event is ChannelShouldQuiesceEvent {
            // The daemon is stopping: finish what is in flight, end streams, close.
            shuttingDown = true
            pending.removeAll()
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            closeIfDrained(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func closeIfDrained(context: ChannelHandlerContext) {
        guard inputClosed || shuttingDown else { return }
        // Streams that follow a log could last for hours: a stopping daemon ends them.
        for (id, stream) in shuttingDown ? streams : [:] {
            inFlight.remove(id)
            respond(id: id, .failure(RPCError(.requestCancelled, shutdownNotice)), context: context)
            stream.cancelled()
        }
        if shuttingDown { streams.removeAll() }
        // Requests the client sent before closing its side still get their answers.
        guard inFlight.isEmpty, pending.isEmpty else { return }
        // Closing at once would drop answers still queued for a slow reader.
        guard let lastWrite else { return context.close(promise: nil) }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        lastWrite.whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let frameError = error as? FrameError {
            // Framing is lost: say why once, then close.
            logger.notice("closing a connection after a bad frame", metadata: [
                "error": "\(frameError)", "uid": "\(peer.uid)", "pid": "\(peer.pid)",
            ])
            writeAndClose(RPCMessage.errorResponse(id: nil, error: RPCError(.invalidRequest, frameError.description)), context: context)
        } else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

}
