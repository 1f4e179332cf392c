/// One thing wrong with a `kvm-compose.yaml`, at the YAML path of the key that is
/// wrong: `machines[2].libvirt: libvirt guests need kvm-compose; testbed-netns runs netns guests`.
public struct TopologyProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key's path: `machines[2].network[0].ip`, `network.ovn.routers.lr0.ports[1].switch`; "" for the document.
    public var path: String
    /// What is wrong, as a sentence fragment a user can act on.
    public var message: String

    /// A problem at `path`.
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, or `message` alone for the document.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
