/// What a caller may do, decided by the socket it connected to and its groups.
public enum Role: String, Sendable, Comparable {
    /// Any caller on the read-only socket: may only look.
    case reader
    /// A caller on the read-write socket: may create deployments and act on its own.
    case `operator`
    /// uid 0 or a member of the admin group on the read-write socket: may act on every deployment.
    case admin

    public static func < (a: Role, b: Role) -> Bool {
        let order: [Role] = [.reader, .operator, .admin]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}
