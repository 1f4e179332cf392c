/// Lines for one `ip -batch -` run, all in one namespace (or the root one for
/// `netns add/del`): one process per namespace instead of one per link.
public struct IPBatch: Sendable, Equatable {
    /// The namespace the lines run in; nil for the commands that name namespaces themselves.
    public var namespace: String?
    public var lines: [String] = []

    public init(in namespace: String?) { self.namespace = namespace }

    public mutating func add(_ line: String) { lines.append(line) }

    public var isEmpty: Bool { lines.isEmpty }

    /// Runs the lines with `ip -batch -`; the first failing line ends it, and `ip` names it.
    public func run(_ what: String) throws(OrchestratorError) {
        guard !lines.isEmpty else { return }
        var arguments = namespace.map { ["-n", $0] } ?? []
        arguments += ["-batch", "-"]
        let input = Array((lines.joined(separator: "\n") + "\n").utf8)
        try Command(try Tool.path("ip"), arguments, input: input).check(what)
    }
}
