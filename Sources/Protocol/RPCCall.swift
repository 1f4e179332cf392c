import Foundation

/// What arrives for one request: stream chunks (zero or more), then the result.
public enum RPCCallEvent: Sendable {
    /// An `rpc.stream` notification for this request.
    case chunk(StreamChunk)
    /// The response's raw payload; decode its result with `RPCCall.decodeResult`.
    case result(Data)
}

/// A request in flight. Its events end with the result, or throw the daemon's
/// `RPCError` or an `RPCConnectionError`.
public struct RPCCall: Sendable {
    public let id: RequestID
    public let events: RPCCallEvents

    /// Waits for the result, ignoring stream chunks, and decodes it as `R`.
    public func result<R: Decodable>(as type: R.Type = R.self) async throws -> R {
        for try await event in events {
            if case .result(let payload) = event { return try Self.decodeResult(payload, as: R.self) }
        }
        throw RPCConnectionError.closed
    }

    /// Decodes a response payload's `result` member as `R`.
    public static func decodeResult<R: Decodable>(_ payload: Data, as type: R.Type = R.self) throws -> R {
        do {
            return try JSONCoding.sharedDecoder.decode(ResultEnvelope<R>.self, from: payload).result
        } catch {
            throw RPCConnectionError.malformedResponse("its result is not a \(R.self): \(error)")
        }
    }
}

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
