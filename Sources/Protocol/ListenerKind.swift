/// The listeners a daemon serves on. Each method says which of them serve it.
public enum ListenerKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The read-write Unix socket, for members of the testbed group.
    case readWrite = "rw"
    /// The read-only Unix socket, world-connectable: every caller is a reader there.
    case readOnly = "ro"
    /// The cluster's TCP bridge with mutual TLS: peer hosts only.
    case bridge

    /// Both Unix sockets.
    public static let local: Set<ListenerKind> = [.readWrite, .readOnly]
}
