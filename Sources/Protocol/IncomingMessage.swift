import FoundationEssentials

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
