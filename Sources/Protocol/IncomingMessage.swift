import Foundation

/// What a client needs to route a frame from the daemon: a response (id plus
/// result or error) or a notification (method, no id). The `result` itself is
/// decoded later, into the type its caller expects.
public struct IncomingMessage: Decodable, Sendable {
    public let id: RequestID?
    public let method: String?
    public let error: RPCError?

    public static func decode(_ payload: Data) throws -> IncomingMessage {
        try JSONCoding.sharedDecoder.decode(IncomingMessage.self, from: payload)
    }
}

/// Decodes a response's `result` member as `R`.
public struct ResultEnvelope<R: Decodable>: Decodable {
    public let result: R
}

/// Decodes a notification's `params` member as `P`.
public struct ParamsEnvelope<P: Decodable>: Decodable {
    public let params: P
}
