/// Where a key is in the file, written as problems print it:
/// `machines[2].network[0].ip`, `network.ovn.switches.sw0.subnet`.
struct YAMLPath: Hashable, Sendable, CustomStringConvertible {
    /// The path's text; "" for the document itself.
    let description: String

    /// The document itself.
    static let root = YAMLPath(description: "")

    /// The mapping key `key` under this path.
    subscript(key: String) -> YAMLPath {
        YAMLPath(description: description.isEmpty ? key : description + "." + key)
    }

    /// The list item `index` under this path.
    subscript(index: Int) -> YAMLPath {
        YAMLPath(description: description + "[\(index)]")
    }
}
