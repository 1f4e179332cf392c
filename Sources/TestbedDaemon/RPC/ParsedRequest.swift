import Foundation
import TestbedProtocol

/// A frame's payload checked against the JSON-RPC 2.0 envelope rules: an
/// object with `"jsonrpc":"2.0"`, a string `method`, an integer or string `id`
/// (absent for a notification), and `params` absent or an object.
struct ParsedRequest: Sendable {
    let id: RequestID?
    let method: String
    /// The names of the `params` members, nil when `params` is absent.
    let paramKeys: [String]?
    /// The whole payload, kept to decode `params` into the method's own type.
    let payload: Data

    var isNotification: Bool { id == nil }

    /// Why a payload is not a request, with the id to answer under (when it could be read).
    struct Rejection: Error {
        let id: RequestID?
        let error: RPCError
    }

    static func parse(_ payload: Data) throws(Rejection) -> ParsedRequest {
        // The common case in one pass, with no value decoded twice and no error
        // thrown and caught along the way; anything unusual gets the thorough
        // look below, which says exactly what is wrong.
        if let envelope = try? JSONCoding.sharedDecoder.decode(Envelope.self, from: payload),
            envelope.isWellFormed, let method = envelope.method
        {
            return ParsedRequest(id: envelope.id, method: method, paramKeys: envelope.paramKeys, payload: payload)
        }
        try reject(payload)
    }

    /// The members of a request, read without judging them; `isWellFormed` says whether they make one.
    private struct Envelope: Decodable {
        var jsonrpc: String?
        var id: RequestID?
        var idIsValid = true
        var method: String?
        var paramKeys: [String]?
        var paramsAreAnObject = true

        enum Key: String, CodingKey { case jsonrpc, id, method, params }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            jsonrpc = try? container.decode(String.self, forKey: .jsonrpc)
            if container.contains(.id) {
                if (try? container.decodeNil(forKey: .id)) == true {
                    idIsValid = false
                } else {
                    id = try? container.decode(RequestID.self, forKey: .id)
                    idIsValid = id != nil
                }
            }
            method = try? container.decode(String.self, forKey: .method)
            if container.contains(.params) {
                if let params = try? container.nestedContainer(keyedBy: AnyKey.self, forKey: .params) {
                    paramKeys = params.allKeys.map(\.stringValue)
                } else {
                    paramsAreAnObject = false
                }
            }
        }

        var isWellFormed: Bool { jsonrpc == "2.0" && idIsValid && method != nil && paramsAreAnObject }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The rejection of a payload that is not a well-formed request.
    private static func reject(_ payload: Data) throws(Rejection) -> Never {
        let value: JSONValue
        do {
            value = try JSONCoding.sharedDecoder.decode(JSONValue.self, from: payload)
        } catch {
            throw Rejection(id: nil, error: RPCError(
                .parseError, "the frame's payload is not valid UTF-8 JSON: \(Self.describe(error))"))
        }
        guard case .object(let members) = value else {
            let message = if case .array = value {
                "batches are not supported: send each request in its own frame"
            } else {
                "a request must be a JSON object, not \(value.typeName)"
            }
            throw Rejection(id: nil, error: RPCError(.invalidRequest, message))
        }
        var id: RequestID?
        if let rawID = members["id"] {
            guard let valid = RequestID(rawID) else {
                throw Rejection(id: nil, error: RPCError(
                    .invalidRequest, "the request id must be an integer or a string, not \(rawID.typeName)"))
            }
            id = valid
        }
        guard members["jsonrpc"] == .string("2.0") else {
            throw Rejection(id: id, error: RPCError(.invalidRequest, #"the request must have "jsonrpc": "2.0""#))
        }
        guard members["method"]?.stringValue != nil else {
            throw Rejection(id: id, error: RPCError(.invalidRequest, "the request has no method name (a string)"))
        }
        let params = members["params"]
        throw Rejection(id: id, error: .invalidParams(
            field: "params", "params must be an object of named fields, not \(params?.typeName ?? "absent")"))
    }

    /// The `name` parameter, if there is one (for logs).
    var nameParameter: String? {
        struct NameOnly: Decodable { let name: String? }
        return (try? JSONCoding.sharedDecoder.decode(ParamsEnvelope<NameOnly>.self, from: payload))?.params.name
    }

    /// Decodes `params` as `P`, refusing fields `P` does not know.
    func decodeParams<P: RPCParams>(as type: P.Type) throws(RPCError) -> P {
        if let keys = paramKeys, let unknown = keys.sorted().first(where: { !P.fieldNames.contains($0) }) {
            let known = P.fieldNames.sorted().joined(separator: ", ")
            throw .invalidParams(
                field: unknown,
                "\(method) has no parameter \"\(unknown)\"" + (known.isEmpty ? "; it takes none" : "; it takes: \(known)"))
        }
        do {
            if paramKeys == nil {
                return try JSONCoding.sharedDecoder.decode(P.self, from: Data("{}".utf8))
            }
            return try JSONCoding.sharedDecoder.decode(ParamsEnvelope<P>.self, from: payload).params
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch {
            throw RPCError(.invalidParams, "params cannot be decoded: \(error)")
        }
    }

    /// An invalid-params error naming the field a decoding error is about.
    static func describe(_ error: DecodingError) -> RPCError {
        func fieldName(_ path: [any CodingKey]) -> String {
            path.filter { $0.stringValue != "params" }
                .map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = fieldName(context.codingPath + [key])
            return .invalidParams(field: field, "missing required parameter \"\(field)\"")
        case .typeMismatch(let type, let context):
            let field = fieldName(context.codingPath)
            return .invalidParams(field: field, "parameter \"\(field)\" must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            let field = fieldName(context.codingPath)
            return .invalidParams(field: field, "parameter \"\(field)\" must be \(Self.typeName(type)), not null")
        case .dataCorrupted(let context) where context.codingPath.filter({ $0.stringValue != "params" }).isEmpty:
            // Foundation reports a number that does not fit its type (-1 or 2^64 for
            // an unsigned field, 1.5 for an integer) without saying where.
            return RPCError(
                .invalidParams,
                "a parameter does not fit its type: numbers must be whole and within range (\(context.debugDescription))")
        case .dataCorrupted(let context):
            let field = fieldName(context.codingPath)
            return .invalidParams(field: field, "parameter \"\(field)\" is invalid: \(context.debugDescription)")
        @unknown default:
            return RPCError(.invalidParams, "params cannot be decoded: \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean (true or false)"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt32.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        default: "an object of the documented shape"
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError { return "\(underlying)" }
            return context.debugDescription
        }
        return "\(error)"
    }
}
