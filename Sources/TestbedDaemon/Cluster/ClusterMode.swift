/// The daemon's place in the cluster: the main, which keeps the cluster's
/// configuration, or a client of a main.
public enum ClusterMode: Sendable, Hashable, CustomStringConvertible {
    case main
    case client(main: BridgeAddress)

    public var name: String {
        switch self {
        case .main: "main"
        case .client: "client"
        }
    }

    public var description: String {
        switch self {
        case .main: "main"
        case .client(let main): "client of \(main)"
        }
    }
}
