import Yams

/// One key of a mapping, as text, with its value and the value's path.
struct YAMLEntry {
    var key: String
    var keyNode: Node
    var value: Node
    var path: YAMLPath
}
