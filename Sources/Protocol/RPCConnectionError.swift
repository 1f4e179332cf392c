/// Why a call could not complete for reasons other than the daemon's answer.
public enum RPCConnectionError: Error, Sendable, CustomStringConvertible {
    /// The connection closed before the response arrived.
    case closed
    /// The daemon sent something that is not a valid response.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .closed: "the connection to testbedd closed before it answered"
        case .malformedResponse(let why): "testbedd sent a malformed response: \(why)"
        }
    }
}
