import Yams

/// A value read from the file, with the path and position it was read at, so a
/// later check can report a problem there.
struct Located<Value> {
    var value: Value
    var path: YAMLPath
    var mark: Mark?
}
