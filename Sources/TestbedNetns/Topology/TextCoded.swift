/// A value written in JSON as its text form (`"10.0.0.1"`, `"10.0.0.0/24"`,
/// `"02:00:00:00:00:01"`), read back with the same parser the YAML uses.
public protocol TextCoded: Codable, CustomStringConvertible {
    /// Parses the text form; nil if it is not one.
    init?(_ text: String)
    /// What the text should have been, for the decoding error: "an IPv4 address".
    static var textKind: String { get }
}

extension TextCoded {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not \(Self.textKind): \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
