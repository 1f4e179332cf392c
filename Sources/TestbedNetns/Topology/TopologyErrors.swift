/// Every problem found in one file, in the order they were found; one line each.
public struct TopologyErrors: Error, Sendable, CustomStringConvertible {
    /// The problems, in file order.
    public var problems: [TopologyProblem]

    /// Errors made of `problems`.
    public init(_ problems: [TopologyProblem]) { self.problems = problems }

    /// One problem a line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
