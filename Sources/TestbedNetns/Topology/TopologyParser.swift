import Yams

/// Reads a `kvm-compose.yaml` into a `Topology` (docs/orchestrator.md, "testbed-netns").
///
/// The file is kvm-compose's (Bristol-Cyber-Security-Group/testbed-os), restricted to what
/// namespaces can run: `netns` guests with `network` or `scaling`, and `network.ovn`
/// switches and routers with static routes. Every other key is refused at its path, never
/// ignored. Reading is in two passes: `DocumentReader` checks keys and types,
/// `TopologyResolver` checks the file as a whole and expands clones.
public enum TopologyParser {
    /// Parses and checks `yaml`; throws every problem found, each with its path, in file order.
    public static func parse(_ yaml: String) throws(TopologyErrors) -> Topology {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw TopologyErrors([TopologyProblem("", syntaxMessage(error))])
        }
        guard let root, !isEmpty(root) else {
            throw TopologyErrors([TopologyProblem("", "the file is empty; testbed-netns needs machines")])
        }
        guard fitsNodeLimit(root) else {
            throw TopologyErrors([TopologyProblem("", "the file holds more than \(NameRules.maximumNodes) YAML nodes once its aliases are followed; testbed-netns reads no more")])
        }
        var reader = DocumentReader()
        let document = reader.read(root)
        var resolver = TopologyResolver(document, problems: reader.reader.problems)
        guard let topology = resolver.resolve() else {
            throw TopologyErrors(resolver.problems.inFileOrder)
        }
        return topology
    }

    /// Whether `root` has at most `NameRules.maximumNodes` nodes, aliases counted
    /// at each use; the count stops as soon as it is exceeded.
    private static func fitsNodeLimit(_ root: Node) -> Bool {
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            if count > NameRules.maximumNodes { return false }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence): pending.append(contentsOf: sequence)
            default: break
            }
        }
        return true
    }

    /// A document of only a null (`~`, or comments alone) counts as empty.
    private static func isEmpty(_ root: Node) -> Bool {
        if case .scalar = root, YAMLReader.tagName(root) == .null { return true }
        return false
    }

    /// One line for a YAML syntax error, with the line and column Yams gives.
    private static func syntaxMessage(_ error: any Error) -> String {
        guard let error = error as? YamlError else { return "not YAML: \(error)" }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): YAML syntax error: \(problem)\(during)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return "line \(context.mark.line), column \(context.mark.column): duplicate key \(keys) in one mapping"
        case .reader(let problem, _, _, _):
            return "not readable as YAML: \(problem)"
        default:
            return "not YAML: \(error)"
        }
    }
}
