/// Decodes a response's `result` member as `R`.
public struct ResultEnvelope<R: Decodable>: Decodable {
    public let result: R
}
