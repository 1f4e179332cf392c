import FoundationEssentials

/// What arrives for one request: stream chunks (zero or more), then the result.
public enum RPCCallEvent: Sendable {
    /// An `rpc.stream` notification for this request.
    case chunk(StreamChunk)
    /// The response's raw payload; decode its result with `RPCCall.decodeResult`.
    case result(Data)
}
