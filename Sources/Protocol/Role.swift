/// What a caller may do, decided by the listener it connected to and its groups
/// (or polkit): the least role each method needs is in its `MethodAccess`.
public enum Role: String, Sendable, Comparable, Codable {
    /// Any caller on the read-only socket: may only look.
    case reader
    /// A caller on the read-write socket: may create deployments and act on its own.
    case `operator`
    /// uid 0 or a member of the admin group on the read-write socket: may act on every deployment.
    case admin

    private var rank: Int {
        switch self {
        case .reader: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}
