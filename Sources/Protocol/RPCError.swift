/// A JSON-RPC error object: a code, a sentence a person can act on, and optional data.
public struct RPCError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: RPCErrorCode
    public var message: String
    public var data: JSONValue?

    public init(_ code: RPCErrorCode, _ message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// An invalid-params error whose `data.field` names the offending field.
    public static func invalidParams(field: String, _ message: String) -> RPCError {
        RPCError(.invalidParams, message, data: .object(["field": .string(field)]))
    }

    /// The field named by an invalid-params error, if any.
    public var field: String? { data?["field"]?.stringValue }

    public var description: String { message }
}
