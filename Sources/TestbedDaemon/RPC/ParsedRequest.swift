import Foundation
import NIOCore
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
    /// Where `params` is in `payload`, when the envelope was read by the scan.
    var paramsRange: Range<Int>? = nil
    /// When the request was read, for its latency.
    var receivedAt = NIODeadline.now()

    var isNotification: Bool { id == nil }

    /// Why a payload is not a request, with the id to answer under (when it could be read).
    struct Rejection: Error {
        let id: RequestID?
        let error: RPCError
    }

    static func parse(_ payload: Data) throws(Rejection) -> ParsedRequest {
        // Strict JSON first: Foundation's decoder would pass over invalid escapes,
        // bytes and repeated names in members it does not read.
        do {
            try JSONValidator.validate(payload)
        } catch {
            throw Rejection(id: nil, error: Self.refusal(error))
        }
        // The common case: the envelope's members found by one scan, none decoded.
        if let request = payload.withUnsafeBytes({ scan($0, payload: payload) }) { return request }
        // Anything else (escapes in names, a null id, odd numbers) through the
        // decoder, with no error thrown and caught along the way; anything
        // unusual gets the thorough look below, which says exactly what is wrong.
        if let envelope = try? JSONCoding.sharedDecoder.decode(Envelope.self, from: payload),
            envelope.isWellFormed, let method = envelope.method
        {
            return ParsedRequest(id: envelope.id, method: method, paramKeys: envelope.paramKeys, payload: payload)
        }
        try reject(payload)
    }

    /// A request read by `TopLevelMembers` alone: nil unless every member it
    /// needs is in its plainest form (a validated payload, strings without
    /// escapes, an integer id), so that whatever it accepts reads the same as
    /// through the decoder.
    private static func scan(_ bytes: UnsafeRawBufferPointer, payload: Data) -> ParsedRequest? {
        guard let members = TopLevelMembers(bytes), !members.hasEscapedKey,
            let jsonrpc = members["jsonrpc"], members.plainString(jsonrpc) == "2.0",
            let methodRange = members["method"], let method = members.plainString(methodRange)
        else { return nil }
        var id: RequestID?
        if let range = members["id"] {
            guard let plain = members.requestID(range) else { return nil }
            id = plain
        }
        var request = ParsedRequest(id: id, method: method, paramKeys: nil, payload: payload)
        if let range = members["params"] {
            guard members.isObject(range), let params = TopLevelMembers(bytes, object: range), let keys = params.plainKeys else {
                return nil
            }
            request = ParsedRequest(id: id, method: method, paramKeys: keys, payload: payload, paramsRange: range)
        }
        return request
    }

    /// What a request id may be, for messages.
    static let idRule = "the request id must be an integer from -2^63 to 2^63-1, or a string"

    /// The answer to a payload that is not JSON (-32700), or that repeats a member name (-32600).
    static func refusal(_ error: JSONSyntaxError) -> RPCError {
        if case .duplicateMember(let name) = error.kind {
            return RPCError(
                .invalidRequest,
                "the member \"\(JSONSyntaxError.shorten(name))\" appears twice in one object; JSON-RPC requests must not repeat a member")
        }
        return RPCError(.parseError, "the frame's payload is not valid UTF-8 JSON: \(error)")
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

    /// The rejection of a payload that is valid JSON but not a well-formed request.
    private static func reject(_ payload: Data) throws(Rejection) -> Never {
        // Read through `Shape`, which takes any JSON value, so that no member
        // (an id of 1e400, say) can make the reading itself fail.
        guard let first = payload.first(where: { !Self.isWhitespace($0) }), first == UInt8(ascii: "{"),
            let members = try? JSONCoding.sharedDecoder.decode(Members.self, from: payload)
        else {
            let message = switch payload.first(where: { !Self.isWhitespace($0) }) {
            case UInt8(ascii: "["): "batches are not supported: send each request in its own frame"
            case UInt8(ascii: "{"): "the request could not be read as a JSON-RPC 2.0 request"
            case UInt8(ascii: "\""): "a request must be a JSON object, not a string"
            case UInt8(ascii: "t"), UInt8(ascii: "f"): "a request must be a JSON object, not a boolean"
            case UInt8(ascii: "n"): "a request must be a JSON object, not null"
            default: "a request must be a JSON object, not a number"
            }
            throw Rejection(id: nil, error: RPCError(.invalidRequest, message))
        }
        var id: RequestID?
        switch members.id {
        case nil: break
        case .integer(let value): id = .int(value)
        case .string(let value): id = .string(value)
        case .some(let other):
            throw Rejection(id: nil, error: RPCError(.invalidRequest, "\(idRule), not \(other.name)"))
        }
        guard case .string("2.0") = members.jsonrpc else {
            throw Rejection(id: id, error: RPCError(.invalidRequest, #"the request must have "jsonrpc": "2.0""#))
        }
        guard case .string = members.method else {
            throw Rejection(id: id, error: RPCError(.invalidRequest, "the request has no method name (a string)"))
        }
        if let params = members.params, params != .object {
            throw Rejection(id: id, error: .invalidParams(
                field: "params", "params must be an object of named fields, not \(params.name)"))
        }
        throw Rejection(id: id, error: RPCError(.invalidRequest, "the request could not be read as a JSON-RPC 2.0 request"))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    /// The envelope's members as they are, whatever they are; nil when absent
    /// (a member given as `null` is `.null`, not absent).
    private struct Members: Decodable {
        var id: Shape?
        var jsonrpc: Shape?
        var method: Shape?
        var params: Shape?

        enum Key: String, CodingKey { case id, jsonrpc, method, params }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            func member(_ key: Key) throws -> Shape? {
                container.contains(key) ? try container.decode(Shape.self, forKey: key) : nil
            }
            id = try member(.id)
            jsonrpc = try member(.jsonrpc)
            method = try member(.method)
            params = try member(.params)
        }
    }

    /// Any JSON value, reduced to what the envelope checks need. Reading one never
    /// fails on valid JSON: a number no Swift type holds is `outOfRange`.
    private enum Shape: Decodable, Equatable {
        case null, boolean, integer(Int64), fraction, outOfRange, string(String), array, object

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if (try? container.decode(Bool.self)) != nil {
                self = .boolean
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode(Double.self) {
                self = value.rounded() == value ? .outOfRange : .fraction
            } else if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
                self = .object
            } else if (try? decoder.unkeyedContainer()) != nil {
                self = .array
            } else {
                self = .outOfRange
            }
        }

        /// The value's kind as a person would say it.
        var name: String {
            switch self {
            case .null: "null"
            case .boolean: "a boolean"
            case .integer: "an integer"
            case .fraction: "a fractional number"
            case .outOfRange: "a number out of that range"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }
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
            if paramKeys?.isEmpty ?? true {
                // Nothing to decode: a type with no fields, or with only optional ones.
                if let none = NoParams() as? P { return none }
                return try JSONCoding.sharedDecoder.decode(P.self, from: Self.emptyObject)
            }
            if let range = paramsRange {
                // Only the params, decoded once.
                return try JSONCoding.sharedDecoder.decode(
                    P.self, from: payload[payload.startIndex + range.lowerBound..<payload.startIndex + range.upperBound])
            }
            return try JSONCoding.sharedDecoder.decode(ParamsEnvelope<P>.self, from: payload).params
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.invalidParams, "params do not have the shape \(method) takes; docs/protocol.md describes them")
        }
    }

    private static let emptyObject = Data("{}".utf8)

    /// An invalid-params error naming the field a decoding error is about.
    static func describe(_ error: DecodingError) -> RPCError {
        let problem = DecodingProblem(error)
        guard let field = problem.field else { return RPCError(.invalidParams, problem.message) }
        return .invalidParams(field: field, problem.message)
    }
}
