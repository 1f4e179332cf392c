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
    private let peer: PeerCredentials
    private let listener: String
    private let logger: Logger
    /// Requests whose answer is not written yet. Only touched on the event loop.
    private var inFlight: Set<RequestID> = []
    private var draining = false

    init(methods: MethodTable, peer: PeerCredentials, listener: String, logger: Logger) {
        self.methods = methods
        self.peer = peer
        self.listener = listener
        self.logger = logger
    }

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
            handleNotification(request)
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
            write(RPCMessage.errorResponse(id: id, error: RPCError(
                .methodNotFound, "there is no method \"\(request.method)\"; docs/protocol.md lists the methods")), context: context)
            return
        }
        let requestContext = RequestContext(
            peer: peer, listener: listener, requestID: id, method: request.method, eventLoop: context.eventLoop)
        switch entry(request, requestContext) {
        case .now(let result):
            respond(id: id, result, context: context)
        case .later(let future):
            inFlight.insert(id)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            future.whenComplete { outcome in
                let (handler, context) = loopBound.value
                // A request cancelled meanwhile has been answered already.
                guard handler.inFlight.remove(id) != nil else { return }
                handler.respond(id: id, outcome.mapError(Self.rpcError), context: context)
                handler.closeIfDrained(context: context)
            }
        }
    }

    private func handleNotification(_ request: ParsedRequest) {
        // Only `rpc.cancel` means anything as a notification; JSON-RPC forbids
        // answering one, so anything else is dropped (and logged for debugging).
        guard request.method == RPCMethod.cancel else {
            logger.debug("ignored a notification", metadata: ["method": "\(request.method)"])
            return
        }
        guard let params = try? request.decodeParams(as: CancelParams.self) else { return }
        // Requests served in this version complete without waiting on anything the
        // client could cancel; streaming methods register their cancellation here.
        logger.debug("rpc.cancel", metadata: ["id": "\(params.id)", "in_flight": "\(inFlight.contains(params.id))"])
    }

    private func respond(id: RequestID, _ result: Result<Data, RPCError>, context: ChannelHandlerContext) {
        switch result {
        case .success(let encoded):
            write(RPCMessage.response(id: id, encodedResult: encoded), context: context)
        case .failure(let error):
            write(RPCMessage.errorResponse(id: id, error: error), context: context)
        }
    }

    private func write(_ payload: Data, context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: payload)), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent {
            // The client sent all it will send: answer what is in flight, then close.
            draining = true
            closeIfDrained(context: context)
        } else if event is Drain {
            draining = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            closeIfDrained(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func closeIfDrained(context: ChannelHandlerContext) {
        if draining && inFlight.isEmpty { context.close(promise: nil) }
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
