import Foundation
import NIOCore
import TestbedProtocol

/// One request answered by a stream: `rpc.stream` notifications, then one
/// final response. It belongs to its connection's event loop: call it there.
/// The client may end it first (`rpc.cancel`, or by disconnecting); then
/// `onCancel` runs and everything else becomes a no-op.
public final class RequestStream: @unchecked Sendable {
    public let id: RequestID
    public let eventLoop: any EventLoop
    private let connection: ConnectionHandler
    private let context: ChannelHandlerContext
    private var seq = 0
    private(set) var ended = false

    /// Runs when the channel can take more bytes after it could not.
    public var onWritable: (() -> Void)?
    /// Runs when the client ended the request before it finished.
    public var onCancel: (() -> Void)?

    init(id: RequestID, connection: ConnectionHandler, context: ChannelHandlerContext) {
        self.id = id
        self.eventLoop = context.eventLoop
        self.connection = connection
        self.context = context
    }

    /// True while the request has not ended.
    public var isActive: Bool { !ended }

    /// False while the client reads slower than we write (its output bound is
    /// reached) or the daemon's output budget is spent; wait for `onWritable`.
    public var isWritable: Bool { connection.streamMayWrite(context: context) }

    /// True when the client's own output bound is full: it is not reading.
    public var outputIsFull: Bool { connection.streamOutputIsFull() }

    /// Takes the connection's one place for a chunk read ahead beyond its
    /// output bound; false when another stream holds it. Give it back with
    /// `releaseReadAhead`.
    public func claimReadAhead() -> Bool { connection.claimReadAhead() }

    public func releaseReadAhead() { connection.releaseReadAhead() }

    /// How this connection wants text: send `lines` or `dataFrame` accordingly.
    public var format: StreamFormat { connection.session.streamFormat }

    /// Sends the next text in the `data` format: `frame` is a payload begun by
    /// `StreamDataFrame.start` and holding the escaped text.
    public func send(dataFrame frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        guard !ended else { return }
        var frame = frame
        StreamDataFrame.finish(&frame, id: id, seq: seq)
        seq += 1
        connection.write(payload: frame, context: context)
    }

    /// Sends one event (`DaemonEvent`, encoded).
    public func send(event: Data) {
        eventLoop.preconditionInEventLoop()
        guard !ended else { return }
        connection.write(payload: RPCMessage.streamEvent(id: id, seq: seq, event: event, allocator: context.channel.allocator), context: context)
        seq += 1
    }

    /// Sends the next lines, in the `lines` format.
    public func send(lines: [String]) {
        eventLoop.preconditionInEventLoop()
        guard !ended, !lines.isEmpty else { return }
        let chunk = StreamChunk(id: id, seq: seq, lines: lines)
        seq += 1
        guard let payload = try? RPCMessage.request(id: nil, method: RPCNotification.stream, params: chunk) else { return }
        connection.write(payload, context: context)
    }

    /// Ends the request with its result.
    public func finish<R: Encodable>(_ result: R) {
        eventLoop.preconditionInEventLoop()
        guard !ended else { return }
        ended = true
        release()
        connection.streamEnded(id, MethodTable.encode(result), context: context)
    }

    /// Ends the request with an error.
    public func fail(_ error: RPCError) {
        eventLoop.preconditionInEventLoop()
        guard !ended else { return }
        ended = true
        release()
        connection.streamEnded(id, .failure(error), context: context)
    }

    /// The client ended the request: the connection has answered it already.
    func cancelled() {
        guard !ended else { return }
        ended = true
        let handler = onCancel
        onCancel = nil
        onWritable = nil
        handler?()
    }

    /// Drops the handlers, which hold whoever feeds the stream: nothing may outlive the request.
    private func release() {
        onCancel = nil
        onWritable = nil
    }

    func writable() {
        guard !ended, let handler = onWritable else { return }
        onWritable = nil
        handler()
    }
}
