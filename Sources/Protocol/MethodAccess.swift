/// Who may call a method and where: the part of its descriptor that the
/// daemon's authorizer reads before dispatch. Ownership is checked later,
/// inside the change it guards.
public struct MethodAccess: Sendable, Hashable {
    /// The least role the method needs.
    public let role: Role
    /// What it needs of the deployment it names.
    public let ownership: Ownership
    /// The listeners that serve it.
    public let listeners: Set<ListenerKind>
    /// Its answer reports the caller's role (`rpc.hello`), so where the role is
    /// polkit's to decide, polkit is asked even though a reader may call it.
    public let reportsRole: Bool

    public init(role: Role, ownership: Ownership = .none, listeners: Set<ListenerKind>, reportsRole: Bool = false) {
        self.role = role
        self.ownership = ownership
        self.listeners = listeners
        self.reportsRole = reportsRole
    }

    /// True when what the caller may do here depends on more than being a
    /// reader: where roles come from polkit, this is when polkit is asked.
    public var dependsOnRole: Bool {
        role > .reader || ownership != .none || reportsRole
    }
}
