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

extension Decoder {
    /// Throws when the object being decoded has a member outside `allowed`: a
    /// misspelt option must be an error, never silently ignored.
    func refuseUnknownMembers(_ allowed: Set<String>, in what: String) throws {
        let keys = try container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
        if let unknown = keys.sorted().first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath,
                debugDescription: "\(what) has no field \"\(unknown)\"; it takes \(allowed.sorted().joined(separator: ", "))"))
        }
    }
}
