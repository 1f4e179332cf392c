import FoundationEssentials

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
