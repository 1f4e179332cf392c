import Yams

/// The problems found so far, each kept with the position of the node it is about,
/// so that problems found in different passes come out in file order.
struct ProblemList {
    private var entries: [(line: Int, column: Int, problem: TopologyProblem)] = []

    /// Whether nothing is wrong so far.
    var isEmpty: Bool { entries.isEmpty }

    /// Records `message` at `path`, about the node at `mark` (nil: before everything).
    mutating func add(_ path: YAMLPath, _ message: String, at mark: Mark?) {
        entries.append((mark?.line ?? 0, mark?.column ?? 0, TopologyProblem(path.description, message)))
    }

    /// Records `message` about a value read earlier.
    mutating func add<Value>(_ located: Located<Value>, _ message: String) {
        add(located.path, message, at: located.mark)
    }

    /// The problems in file order; those at one position in the order they were found.
    var inFileOrder: [TopologyProblem] {
        entries.enumerated().sorted { lhs, rhs in
            (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
        }.map(\.element.problem)
    }
}
