/// Reads a `kvm-compose.yaml` into a `Topology` (docs/orchestrator.md, "testbed-netns").
public enum TopologyParser {
    /// Parses and checks `yaml`; throws every problem found, each with its path.
    public static func parse(_ yaml: String) throws(TopologyErrors) -> Topology {
        throw TopologyErrors([TopologyProblem("", "not written yet")])
    }
}
