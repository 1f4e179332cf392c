/// Where a key is in the file, written as problems print it:
/// `machines[2].network[0].ip`, `network.ovn.switches.sw0.subnet`.
struct YAMLPath: Hashable, Sendable, CustomStringConvertible {
    /// The path's text; "" for the document itself.
    let description: String

    /// The document itself.
    static let root = YAMLPath(description: "")

    /// The mapping key `key` under this path. A key holding a control character
    /// is written with escapes, so a key can never add a line to the log.
    subscript(key: String) -> YAMLPath {
        let shown = key.unicodeScalars.contains { $0.properties.generalCategory == .control }
            ? "\"" + key.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
            : key
        return YAMLPath(description: description.isEmpty ? shown : description + "." + shown)
    }

    /// The list item `index` under this path.
    subscript(index: Int) -> YAMLPath {
        YAMLPath(description: description + "[\(index)]")
    }
}
