import Foundation
import Logging
import NIOCore
import TestbedProtocol

/// Serves one client connection on its event loop: reads requests from frames,
/// dispatches them, writes responses in whatever order they complete, handles
/// `rpc.cancel`, and answers a refused frame with one error before closing.
final class ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Tells a connection the daemon is stopping: finish in-flight requests, then close.
    struct Drain: Sendable {}

    private let methods: MethodTable
    private let caller: Caller
    private let policy: AccessPolicy
    /// Asks polkit for the caller's role, off the event loop (nil: none granted).
    private let authorize: (@Sendable (PeerCredentials, any EventLoop) -> EventLoopFuture<Role?>)?
    /// polkit's last answer for this connection, reused for a short while.
    private var polkitRole: (role: Role?, until: NIODeadline)?
    /// The polkit question being asked for this connection: later requests wait
    /// on the same one, in order, rather than each asking again.
    private var pendingAuthorization: EventLoopFuture<Role?>?
    /// The last write, so closing waits until everything written has gone out.
    private var lastWrite: EventLoopFuture<Void>?

    /// Requests one connection may have in flight before it is told to wait.
    static let defaultMaxInFlight = 1024
    private let maxInFlight: Int
    private let logger: Logger
    /// Requests whose answer is not written yet. Only touched on the event loop.
    private var inFlight: Set<RequestID> = []
    /// The streaming requests among them.
    private var streams: [RequestID: RequestStream] = [:]
    /// The client shut down its writing side: close once everything is answered.
    private var inputClosed = false
    /// The daemon is stopping: end streams, finish the rest, close.
    private var shuttingDown = false

    init(
        methods: MethodTable, caller: Caller, policy: AccessPolicy, logger: Logger,
        authorize: (@Sendable (PeerCredentials, any EventLoop) -> EventLoopFuture<Role?>)? = nil,
        maxInFlight: Int = ConnectionHandler.defaultMaxInFlight
    ) {
        self.maxInFlight = maxInFlight
        self.methods = methods
        self.caller = caller
        self.policy = policy
        self.logger = logger
        self.authorize = authorize
    }

    /// How long polkit's answer is reused on one connection.
    static let polkitGrantLifetime = TimeAmount.seconds(30)

    private var peer: PeerCredentials { caller.peer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = Data(Self.unwrapInboundIn(data).readableBytesView)
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
            let refusal = methods.refusal ?? RPCError(
                .methodNotFound, "there is no method \"\(request.method)\"; docs/protocol.md lists the methods")
            if methods.refusal != nil { refused(request, refusal) }
            write(RPCMessage.errorResponse(id: id, error: refusal), context: context)
            return
        }
        guard policy.needsPolkit(caller, for: entry.role), let authorize else {
            dispatch(request, id: id, entry: entry, caller: caller, context: context)
            return
        }
        if let cached = polkitRole, cached.until > .now() {
            dispatch(request, id: id, entry: entry, caller: resolved(cached.role), context: context)
            return
        }
        inFlight.insert(id)
        let question = pendingAuthorization ?? authorize(caller.peer, context.eventLoop)
        pendingAuthorization = question
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        question.whenComplete { outcome in
            let (handler, context) = loopBound.value
            handler.pendingAuthorization = nil
            guard handler.inFlight.remove(id) != nil else { return }
            switch outcome {
            case .success(let role):
                handler.polkitRole = (role, .now() + Self.polkitGrantLifetime)
                handler.dispatch(request, id: id, entry: entry, caller: handler.resolved(role), context: context)
            case .failure(let error):
                let refusal = RPCError(.permissionDenied, "polkit could not decide whether uid \(handler.caller.uid) may call \(request.method): \(error)")
                handler.refused(request, refusal)
                handler.write(RPCMessage.errorResponse(id: id, error: refusal), context: context)
            }
            handler.closeIfDrained(context: context)
        }
    }

    /// This connection's caller with the role polkit granted (reader when none).
    private func resolved(_ role: Role?) -> Caller {
        Caller(peer: caller.peer, listener: caller.listener, role: role ?? .reader, bridgePeer: caller.bridgePeer, remoteAddress: caller.remoteAddress)
    }

    private func dispatch(
        _ request: ParsedRequest, id: RequestID, entry: (role: Role, body: MethodTable.Entry), caller: Caller,
        context: ChannelHandlerContext
    ) {
        do {
            try policy.require(entry.role, for: request.method, caller)
        } catch {
            refused(request, error)
            write(RPCMessage.errorResponse(id: id, error: error), context: context)
            return
        }
        let requestContext = RequestContext(
            caller: caller, requestID: id, method: request.method, eventLoop: context.eventLoop)
        switch entry.body(request, requestContext) {
        case .now(let result):
            if case .failure(let error) = result, error.code == .permissionDenied { refused(request, error) }
            respond(id: id, result, context: context)
        case .later(let future):
            inFlight.insert(id)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            future.whenComplete { outcome in
                let (handler, context) = loopBound.value
                // A request cancelled meanwhile has been answered already.
                guard handler.inFlight.remove(id) != nil else { return }
                let outcome = outcome.mapError(Self.rpcError)
                if case .failure(let error) = outcome, error.code == .permissionDenied { handler.refused(request, error) }
                handler.respond(id: id, outcome, context: context)
                handler.closeIfDrained(context: context)
            }
        case .stream(let body):
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

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if !shuttingDown { context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
            for stream in Array(streams.values) { stream.writable() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A disconnect ends this client's streams, and nothing else.
        let ended = streams
        streams.removeAll()
        inFlight.removeAll()
        for stream in ended.values { stream.cancelled() }
        context.fireChannelInactive()
    }

    private func handleNotification(_ request: ParsedRequest, context: ChannelHandlerContext) {
        // Only `rpc.cancel` means anything as a notification; JSON-RPC forbids
        // answering one, so anything else is dropped (and logged for debugging).
        guard request.method == RPCMethod.cancel else {
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

    /// Every refusal is logged with who asked for what.
    private func refused(_ request: ParsedRequest, _ error: RPCError) {
        logger.notice("refused: \(error.message)", metadata: [
            "method": "\(request.method)", "uid": "\(peer.uid)", "pid": "\(peer.pid)",
            "deployment": "\(request.nameParameter ?? "-")", "socket": "\(caller.listener)",
            "chassis": "\(caller.bridgePeer?.chassis ?? "-")",
        ])
    }

    private func respond(id: RequestID, _ result: Result<Data, RPCError>, context: ChannelHandlerContext) {
        switch result {
        case .success(let encoded):
            write(RPCMessage.response(id: id, encodedResult: encoded), context: context)
        case .failure(let error):
            write(RPCMessage.errorResponse(id: id, error: error), context: context)
        }
    }

    func write(_ payload: Data, context: ChannelHandlerContext) {
        lastWrite = context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: payload)))
        // A client that sends without reading gets no more reads until it catches
        // up: answers never pile up in the daemon's memory.
        if !context.channel.isWritable { context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in } }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent {
            // The client sent all it will send: answer what is in flight, then close.
            inputClosed = true
            closeIfDrained(context: context)
        } else if event is Drain {
            shuttingDown = true
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
            respond(id: id, .failure(RPCError(
                .requestCancelled, "testbedd is shutting down; running actions are being cancelled and their outcome recorded")), context: context)
            stream.cancelled()
        }
        if shuttingDown { streams.removeAll() }
        guard inFlight.isEmpty else { return }
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
            let refusal = RPCMessage.errorResponse(id: nil, error: RPCError(.invalidRequest, frameError.description))
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: refusal)))
                .whenComplete { _ in loopBound.value.close(promise: nil) }
        } else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    private static func rpcError(_ error: any Error) -> RPCError {
        error as? RPCError ?? RPCError(.internalError, "the daemon failed to complete the request: \(error)")
    }
}
