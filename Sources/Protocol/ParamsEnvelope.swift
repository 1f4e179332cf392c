/// Decodes a notification's `params` member as `P`.
public struct ParamsEnvelope<P: Decodable>: Decodable {
    public let params: P
}
