import NIOCore
import TestbedProtocol

/// The open connections, so that shutdown can tell each one to drain.
final class ConnectionSet: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Set once the daemon stops: what each connection is told.
        var drain: ConnectionHandler.Drain?
    }

    private let state = Locked(State())

    /// Adds `channel`; if the daemon is already draining, it is told to drain at once.
    func insert(_ channel: any Channel) {
        let drainNow = state.withLock { state in
            state.channels[ObjectIdentifier(channel)] = channel
            return state.drain
        }
        if let drainNow { Self.drain(channel, drainNow) }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Tells every connection, now and from now on, to finish its requests and
    /// close; closes those still open after `deadline`, flushed or not.
    func drainAll(_ drain: ConnectionHandler.Drain, closingAfter deadline: TimeAmount, on eventLoop: any EventLoop) {
        let channels = state.withLock { state in
            state.drain = drain
            return Array(state.channels.values)
        }
        for channel in channels { Self.drain(channel, drain) }
        eventLoop.scheduleTask(in: deadline) { [self] in
            let left = state.withLock { Array($0.channels.values) }
            for channel in left { channel.close(promise: nil) }
        }
    }

    private static func drain(_ channel: any Channel, _ drain: ConnectionHandler.Drain) {
        channel.pipeline.fireUserInboundEventTriggered(drain)
    }
}
