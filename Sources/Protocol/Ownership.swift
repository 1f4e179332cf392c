/// What a method needs of the deployment it names, besides a role.
public enum Ownership: Sendable, Hashable {
    /// Nothing: the method does not touch one deployment's ownership.
    case none
    /// It acts on the deployment: only its owner (an operator) or an admin may.
    /// `verb` words the refusal: "you may not \(verb) deployment …".
    case acts(verb: String)
    /// It reads what only the deployment's owner or an admin may read, on any listener.
    case reads(what: String)
}
