import Yams

/// A mapping read against the keys it may have: the known keys that are present,
/// by name. Keys that were refused or unknown have already been reported.
struct YAMLFields {
    /// The mapping's own path.
    var path: YAMLPath
    /// The mapping's position, for problems about keys that are missing.
    var mark: Mark?
    /// The known keys present, by name.
    var entries: [String: YAMLEntry]
    /// The refused keys present (already reported).
    var refusedKeys: Set<String> = []

    /// The known key `key`'s entry, if present.
    subscript(key: String) -> YAMLEntry? { entries[key] }
}
