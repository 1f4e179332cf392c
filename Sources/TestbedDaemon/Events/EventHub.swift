import Foundation
import NIOCore
import TestbedProtocol

/// The daemon's changes, numbered and kept for a while, and the streams that
/// watch them (`events.watch`). Whoever changes something publishes while its
/// change is serialized (the registry's writer), so events are numbered in the
/// order the changes were made. The last `capacity` events stay in memory
/// only, for watchers that come back with `since`.
///
/// A watcher is only a position in the kept events: publishing wakes each
/// watcher that is not already awake, once, and the watcher sends from its
/// position on its own event loop, one event at a time, while its connection
/// takes them. So a watcher costs the same however many events it is behind,
/// and the hub holds no event twice. One whose connection's output bound is
/// full is dropped, with where to start again; one held only by the daemon's
/// shared output budget waits for it. Watchers are capped in all (and, as
/// streams, per connection: `ConnectionHandler.maxStreams`).
public final class EventHub: Sendable {
    /// This daemon run: numbering starts again under another one.
    public let bootID: String
    /// How many events stay in memory for `since`.
    public let capacity: Int
    /// Watchers open in all.
    public let maxWatchers: Int
    private let clock: any WallClock

    private struct State {
        var nextSeq: UInt64 = 1
        /// The last events, oldest first, numbered without gaps, encoded once for every watcher.
        var ring = CircularBuffer<(seq: UInt64, json: Data)>()
        var watchers: [ObjectIdentifier: Watcher] = [:]
        var observers: [@Sendable (DaemonEvent) -> Void] = []

        /// The kept event numbered `seq`, if still kept.
        func event(_ seq: UInt64) -> (seq: UInt64, json: Data)? {
            guard let first = ring.first?.seq, seq >= first, seq - first < UInt64(ring.count) else { return nil }
            return ring[ring.index(ring.startIndex, offsetBy: Int(seq - first))]
        }
    }

    private let state = Locked(State())

    public init(capacity: Int = 4096, maxWatchers: Int = 1024, clock: any WallClock = SystemClock()) {
        self.bootID = UUID().uuidString.lowercased()
        self.capacity = max(1, capacity)
        self.maxWatchers = max(1, maxWatchers)
        self.clock = clock
    }

    /// Numbers, keeps and announces the event `fill` describes. Call it while
    /// the change it reports is serialized, so that numbering follows the changes.
    public func publish(_ kind: DaemonEvent.Kind, _ fill: (inout DaemonEvent) -> Void) {
        let woken: [Watcher] = state.withLock { state in
            var event = DaemonEvent(seq: state.nextSeq, bootID: bootID, time: clock.now(), kind: kind)
            fill(&event)
            guard let json = try? JSONCoding.shared.encode(event) else { return [] }
            state.nextSeq += 1
            state.ring.append((event.seq, json))
            if state.ring.count > capacity { state.ring.removeFirst() }
            for observer in state.observers { observer(event) }
            var woken: [Watcher] = []
            for watcher in state.watchers.values where !watcher.awake {
                watcher.awake = true
                woken.append(watcher)
            }
            return woken
        }
        for watcher in woken { wake(watcher) }
    }

    /// Calls `observer` with every event from now on, in order, while the
    /// change is serialized: it must be quick and must not publish.
    public func observe(_ observer: @escaping @Sendable (DaemonEvent) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// The number the next event will have.
    public var nextSeq: UInt64 { state.withLock { $0.nextSeq } }

    /// Watchers now, for `server.status` and the metrics.
    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Starts sending events to `stream`: first those after `since` when given
    /// (still in memory, of this run), then every new one. Throws when the
    /// events asked for are of another run or no longer kept, or too many
    /// watchers are open.
    func watch(_ stream: RequestStream, since: UInt64?, bootID asked: String?) throws(RPCError) {
        let watcher = Watcher(stream: stream)
        let id = ObjectIdentifier(watcher)
        let startNow: Bool = try state.withLock { (state) throws(RPCError) in
            guard state.watchers.count < maxWatchers else {
                throw RPCError(.busy, "testbedd has \(maxWatchers) event watchers open, its limit; try again later")
            }
            var start = state.nextSeq
            if let since {
                guard asked == bootID else {
                    throw RPCError.invalidParams(field: "boot_id", "events since \(since) were of another run of testbedd (boot id \(asked ?? "")); this one is \(bootID) and starts from event 1: read the current state, then watch again without since")
                }
                guard since < state.nextSeq else {
                    throw RPCError.invalidParams(field: "since", "there is no event \(since) yet (the last is \(state.nextSeq - 1)); watch without since, or since a number already sent")
                }
                // since < nextSeq, so since + 1 cannot overflow.
                let oldest = state.ring.first?.seq ?? state.nextSeq
                guard since + 1 >= oldest else {
                    throw RPCError.invalidParams(field: "since", "the events after \(since) are no longer kept (the oldest kept is \(oldest)); read the current state, then watch again without since")
                }
                start = since + 1
            }
            watcher.next = start
            watcher.awake = start < state.nextSeq
            state.watchers[id] = watcher
            return watcher.awake
        }
        watcher.hub = self
        stream.onCancel = { [weak self] in self?.forget(id) }
        if startNow { wake(watcher) }
    }

    private func wake(_ watcher: Watcher) {
        watcher.stream.eventLoop.execute { watcher.drain() }
    }

    fileprivate func forget(_ watcher: Watcher) { forget(ObjectIdentifier(watcher)) }

    private func forget(_ id: ObjectIdentifier) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    /// The next event for `watcher`, moving its position past it; nil when it
    /// has sent them all (it then sleeps until the next publish). `.behind`
    /// when its position is no longer kept.
    fileprivate func take(for watcher: Watcher) -> Taken {
        state.withLock { state in
            guard watcher.next < state.nextSeq else {
                watcher.awake = false
                return .none
            }
            guard let event = state.event(watcher.next) else { return .behind }
            watcher.next += 1
            return .event(event.seq, event.json)
        }
    }

    fileprivate enum Taken {
        case event(UInt64, Data)
        case none
        case behind
    }

    /// One stream and its position. `next` and `awake` belong to the hub's
    /// lock; the rest to the stream's event loop.
    fileprivate final class Watcher: @unchecked Sendable {
        let stream: RequestStream
        /// The number of the next event to send.
        var next: UInt64 = 1
        /// A drain is scheduled or under way: publishing need not wake it.
        var awake = false
        weak var hub: EventHub?

        init(stream: RequestStream) { self.stream = stream }

        /// Sends what the connection takes, on the stream's event loop.
        func drain() {
            guard let hub else { return }
            while true {
                guard stream.isActive else { return hub.forget(self) }
                if stream.outputIsFull {
                    return drop(hub, "this watcher read too slowly and was dropped")
                }
                guard stream.isWritable else {
                    // Only the daemon's shared budget is full: wait for it.
                    stream.onWritable = { [self] in drain() }
                    return
                }
                switch hub.take(for: self) {
                case .none:
                    return
                case .behind:
                    stream.fail(RPCError(.busy, "this watcher fell more than \(hub.capacity) events behind and was dropped; read the current state, then watch again without since"))
                    return hub.forget(self)
                case .event(_, let json):
                    stream.send(event: json)
                }
            }
        }

        private func drop(_ hub: EventHub, _ why: String) {
            let resume = hub.state.withLock { _ in next } - 1
            stream.fail(RPCError(
                .busy, "\(why); watch again since \(resume) (boot id \(hub.bootID)) to get what it missed",
                data: .object(["since": .int(Int64(resume)), "boot_id": .string(hub.bootID)])))
            hub.forget(self)
        }
    }
}
