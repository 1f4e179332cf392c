/// A coding key for any member name, to see every key of an object, including
/// the ones a type does not know.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Decoder {
    /// Throws unless the object being decoded has exactly one member: the tagged
    /// enums of the original encoding (`{"up":{...}}`) allow no other.
    func requireSingleMember(_ what: String) throws {
        let keys = try container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
        guard keys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath,
                debugDescription: "\(what) has exactly one key, not \(keys.count) (\(keys.sorted().joined(separator: ", ")))"))
        }
    }
}
