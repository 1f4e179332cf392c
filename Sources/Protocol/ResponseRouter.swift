import FoundationEssentials
import NIOCore

/// Routes each frame from the daemon to the call it answers.
final class ResponseRouter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let calls: PendingCalls

    init(calls: PendingCalls) { self.calls = calls }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        // The `data` stream format is read straight from the frame's bytes.
        if let chunk = frame.withUnsafeReadableBytes({ StreamDataFrame.parse($0) }) {
            calls.deliver(chunk)
            return
        }
        let payload = Data(frame.readableBytesView)
        guard let message = try? IncomingMessage.decode(payload) else { return }
        if message.method == RPCNotification.stream {
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
