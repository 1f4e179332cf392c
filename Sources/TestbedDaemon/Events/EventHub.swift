import Foundation
import NIOCore
import TestbedProtocol

/// The daemon's changes, numbered and kept for a while, and the streams that
/// watch them (`events.watch`). Whoever changes something publishes while its
/// change is serialized (the registry's writer), so events are numbered in the
/// order the changes were made. The last `capacity` events stay in memory
/// only, for watchers that come back with `since`.
///
/// Each watcher gets its events on its connection's event loop, in order, as
/// fast as it reads; one that falls behind its connection's output bound is
/// dropped with an answer saying from where to watch again, so a watcher that
/// stops reading costs at most that bound.
public final class EventHub: Sendable {
    /// This daemon run: numbering starts again under another one.
    public let bootID: String
    /// How many events stay in memory for `since`.
    public let capacity: Int
    private let clock: any WallClock

    private struct State {
        var nextSeq: UInt64 = 1
        /// The last events, oldest first, encoded once for every watcher.
        var ring = CircularBuffer<(seq: UInt64, json: Data)>()
        var watchers: [ObjectIdentifier: Watcher] = [:]
        var observers: [@Sendable (DaemonEvent) -> Void] = []
    }

    private let state = Locked(State())

    public init(capacity: Int = 4096, clock: any WallClock = SystemClock()) {
        self.bootID = UUID().uuidString.lowercased()
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Numbers, keeps and sends the event `fill` describes. Call it while the
    /// change it reports is serialized, so that numbering follows the changes.
    public func publish(_ kind: DaemonEvent.Kind, _ fill: (inout DaemonEvent) -> Void) {
        state.withLock { state in
            var event = DaemonEvent(seq: state.nextSeq, bootID: bootID, time: clock.now(), kind: kind)
            fill(&event)
            guard let json = try? JSONCoding.shared.encode(event) else { return }
            state.nextSeq += 1
            state.ring.append((event.seq, json))
            if state.ring.count > capacity { state.ring.removeFirst() }
            for watcher in state.watchers.values { watcher.enqueue(event.seq, json) }
            for observer in state.observers { observer(event) }
        }
    }

    /// Calls `observer` with every event from now on, in order, while the
    /// change is serialized: it must be quick and must not publish.
    public func observe(_ observer: @escaping @Sendable (DaemonEvent) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// The number the next event will have.
    public var nextSeq: UInt64 { state.withLock { $0.nextSeq } }

    /// Starts sending events to `stream`: first those after `since` when given
    /// (still in memory, of this run), then every new one. Throws when the
    /// events asked for are of another run or no longer kept.
    func watch(_ stream: RequestStream, since: UInt64?, bootID asked: String?) throws(RPCError) {
        let watcher = Watcher(stream: stream)
        let id = ObjectIdentifier(watcher)
        try state.withLock { (state) throws(RPCError) in
            var replay: [(UInt64, Data)] = []
            if let since {
                guard asked == bootID else {
                    throw RPCError.invalidParams(field: "boot_id", "events since \(since) were of another run of testbedd (boot id \(asked ?? "")); this one is \(bootID) and starts from event 1: read the current state, then watch again without since")
                }
                let oldest = state.ring.first?.seq ?? state.nextSeq
                guard since + 1 >= oldest || since + 1 >= state.nextSeq else {
                    throw RPCError.invalidParams(field: "since", "the events after \(since) are no longer kept (the oldest kept is \(oldest)); read the current state, then watch again without since")
                }
                guard since < state.nextSeq else {
                    throw RPCError.invalidParams(field: "since", "there is no event \(since) yet (the last is \(state.nextSeq - 1)); watch without since, or since a number already sent")
                }
                replay = state.ring.filter { $0.seq > since }.map { ($0.seq, $0.json) }
            }
            // Queued under the lock: nothing published after this can overtake the replay.
            for (seq, json) in replay { watcher.enqueue(seq, json) }
            state.watchers[id] = watcher
        }
        stream.onCancel = { [weak self] in self?.forget(id) }
        watcher.onDrop = { [weak self] in self?.forget(id) }
    }

    private func forget(_ id: ObjectIdentifier) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    /// Watchers now, for `server.status` and tests.
    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// One stream, fed on its event loop.
    private final class Watcher: @unchecked Sendable {
        let stream: RequestStream
        /// The last event sent (loop only).
        var lastSent: UInt64?
        /// Runs once when the watcher is dropped (loop only).
        var onDrop: (() -> Void)?

        init(stream: RequestStream) { self.stream = stream }

        func enqueue(_ seq: UInt64, _ json: Data) {
            stream.eventLoop.execute { self.deliver(seq, json) }
        }

        private func deliver(_ seq: UInt64, _ json: Data) {
            guard stream.isActive else { return }
            guard stream.isWritable else {
                let from = lastSent.map { "since \($0)" } ?? "without since"
                stream.fail(RPCError(.busy, "this watcher read too slowly and was dropped before event \(seq); watch again \(from) to get what it missed"))
                onDrop?()
                onDrop = nil
                return
            }
            stream.send(event: json)
            lastSent = seq
        }
    }
}
