import FoundationEssentials

/// What a client needs to route a frame from the daemon: a response (id plus
/// result or error) or a notification (method, no id). The `result` itself is
/// decoded later, into the type its caller expects.
public struct IncomingMessage: Decodable, Sendable {
    public let id: RequestID?
    public let method: String?
    public let error: RPCError?

    /// Routes `payload`. A result or a notification is routed from its
    /// top-level members alone (`TopLevelMembers`), without decoding what it
    /// carries: that is decoded once, by whoever takes it. Anything else (an
    /// error, an id or method with escapes, a payload the scan does not
    /// follow) goes through the full decoder, which says what is wrong.
    public static func decode(_ payload: Data) throws -> IncomingMessage {
        if let routed = payload.withUnsafeBytes({ fastRoute($0) }) { return routed }
        return try JSONCoding.sharedDecoder.decode(IncomingMessage.self, from: payload)
    }

    private init(id: RequestID?, method: String?) {
        self.id = id
        self.method = method
        self.error = nil
    }

    private static func fastRoute(_ bytes: UnsafeRawBufferPointer) -> IncomingMessage? {
        guard let members = TopLevelMembers(bytes), members.error == nil || members.isNull(members.error!) else { return nil }
        var id: RequestID?
        if let range = members.id, !members.isNull(range) {
            guard let plain = members.requestID(range) else { return nil }
            id = plain
        }
        var method: String?
        if let range = members.method, !members.isNull(range) {
            guard let text = members.plainString(range) else { return nil }
            method = text
        }
        // A message the daemon sends has one or the other.
        guard id != nil || method != nil else { return nil }
        return IncomingMessage(id: id, method: method)
    }
}
