/// A decoding error in words, naming the field it is about: never
/// Foundation's own text, which names Swift types. The daemon answers bad
/// params with it, and reports corrupt files with it.
public struct DecodingProblem: Sendable, Hashable {
    /// The field, as a dotted path without the `params` envelope; nil when
    /// the decoder did not say where.
    public let field: String?
    /// What is wrong, in a sentence.
    public let message: String

    public init(_ error: DecodingError) {
        func fieldName(_ path: [any CodingKey]) -> String {
            path.filter { $0.stringValue != "params" }
                .map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = fieldName(context.codingPath + [key])
            (self.field, message) = (field, "missing required parameter \"\(field)\"")
        case .typeMismatch(let type, let context):
            let field = fieldName(context.codingPath)
            (self.field, message) = (field, "parameter \"\(field)\" must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            let field = fieldName(context.codingPath)
            (self.field, message) = (field, "parameter \"\(field)\" must be \(Self.typeName(type)), not null")
        case .dataCorrupted(let context) where context.codingPath.filter({ $0.stringValue != "params" }).isEmpty:
            // The payload is valid JSON (validated first): what Foundation reports
            // here, without saying where, is a number that does not fit its type
            // (-1 or 2^64 for an unsigned field, 1.5 for an integer).
            (field, message) = (nil, "a parameter does not fit its type: numbers must be whole and within range")
        case .dataCorrupted(let context):
            let field = fieldName(context.codingPath)
            if context.underlyingError == nil, !Self.isFoundationText(context.debugDescription) {
                (self.field, message) = (field, "parameter \"\(field)\" is invalid: \(context.debugDescription)")
            } else {
                (self.field, message) = (field, "parameter \"\(field)\" is invalid: numbers must be whole and within range")
            }
        @unknown default:
            (field, message) = (nil, "params cannot be decoded; docs/protocol.md describes each method's params")
        }
    }

    /// True for the descriptions Foundation's decoder writes itself (they name
    /// Swift types); ours, from the wire types' own decoders, are sentences for users.
    private static func isFoundationText(_ description: String) -> Bool {
        ["not valid JSON", "representable in Swift", "does not fit in"].contains { description.contains($0) }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean (true or false)"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt32.Type, is UInt64.Type, is UInt16.Type, is UInt8.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object of the documented shape"
        }
    }
}
