#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore

/// Pauses a listener whose accepts fail for want of descriptors or memory
/// (EMFILE, ENFILE, ENOBUFS, ENOMEM), and resumes it a little later.
///
/// NIO keeps such a listening socket registered for readability after the
/// failed accept (its read stays pending), so its event loop would otherwise
/// wake at once, fail again, and spin a core for as long as descriptors are
/// short. The connection caps keep clients from exhausting descriptors; this
/// keeps anything else that does from costing more than a few accepts a second.
final class ListenerPause: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    /// How long a listener rests after an accept failed for want of resources.
    static let pause = TimeAmount.milliseconds(250)
    private static let log = RateLimitedLog(linesPerWindow: 1, window: .minutes(1))

    private let logger: Logger
    private var paused = false

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let failure = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(failure.errnoCode), !paused {
            paused = true
            let logger = self.logger
            Self.log.record { suppressed in
                logger.warning("accepting connections failed: \(failure); pausing the listener for \(Self.pause) at a time (\(suppressed) more pauses not logged)")
            }
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: Self.pause) {
                let (handler, context) = loopBound.value
                handler.paused = false
                context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            }
        }
        context.fireErrorCaught(error)
    }
}
