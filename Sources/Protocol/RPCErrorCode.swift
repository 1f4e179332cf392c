/// A JSON-RPC error code. The set is open: new application codes are added as
/// `static let`s without breaking anyone who switches on the raw value.
public struct RPCErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The payload is not valid JSON (or not UTF-8). Framing is intact, so the connection stays open.
    public static let parseError = RPCErrorCode(rawValue: -32700)
    /// The payload is JSON but not a valid request (not an object, a batch, a bad id, no method), or a frame length is refused.
    public static let invalidRequest = RPCErrorCode(rawValue: -32600)
    /// No method by that name.
    public static let methodNotFound = RPCErrorCode(rawValue: -32601)
    /// The params are missing, of the wrong type or invalid; `data.field` names the culprit.
    public static let invalidParams = RPCErrorCode(rawValue: -32602)
    /// The daemon failed in a way the caller cannot fix.
    public static let internalError = RPCErrorCode(rawValue: -32603)
    /// The named deployment (or action) does not exist.
    public static let notFound = RPCErrorCode(rawValue: -32001)
    /// A deployment by that name already exists.
    public static let alreadyExists = RPCErrorCode(rawValue: -32002)
    /// The deployment's state forbids the request (for example destroying one that is `up`).
    public static let invalidState = RPCErrorCode(rawValue: -32003)
    /// The caller may not do this.
    public static let permissionDenied = RPCErrorCode(rawValue: -32004)
    /// An action is in progress on that deployment.
    public static let busy = RPCErrorCode(rawValue: -32005)
    /// The request was cancelled by its client (`rpc.cancel`).
    public static let requestCancelled = RPCErrorCode(rawValue: -32006)

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { String(rawValue) }

    /// A stable word for the code (`not_found`, `busy`…), for programs that
    /// read errors; `error_<number>` for a code this version does not know.
    public var name: String {
        switch self {
        case .parseError: "parse_error"
        case .invalidRequest: "invalid_request"
        case .methodNotFound: "method_not_found"
        case .invalidParams: "invalid_params"
        case .internalError: "internal_error"
        case .notFound: "not_found"
        case .alreadyExists: "already_exists"
        case .invalidState: "invalid_state"
        case .permissionDenied: "permission_denied"
        case .busy: "busy"
        case .requestCancelled: "request_cancelled"
        default: "error_\(rawValue)"
        }
    }
}
