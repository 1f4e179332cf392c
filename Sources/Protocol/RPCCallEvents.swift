/// The events of one call. Reading them is what lets the connection read on:
/// when too many stream chunks wait unread (a fast log, a slow terminal), the
/// connection stops reading from the daemon until they are consumed, so the
/// client's memory stays bounded and the daemon's pacing reaches the reader.
public struct RPCCallEvents: AsyncSequence, Sendable {
    public typealias Element = RPCCallEvent

    let stream: AsyncThrowingStream<RPCCallEvent, any Error>
    let consumed: @Sendable () -> Void

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<RPCCallEvent, any Error>.AsyncIterator
        let consumed: @Sendable () -> Void

        public mutating func next() async throws -> RPCCallEvent? {
            let event = try await base.next()
            if case .chunk = event { consumed() }
            return event
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), consumed: consumed)
    }
}
