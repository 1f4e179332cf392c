/// A listening socket the daemon serves: adopted from systemd or bound by the
/// daemon itself. Either way the daemon serves a file descriptor, one mechanism.
public struct Listener: Sendable {
    /// The socket's role: `rw` (read-write); later issues add `ro` and `bridge`.
    public var name: String
    /// The listening file descriptor.
    public var fd: Int32
    /// The socket file, when the daemon bound it and must remove it at exit.
    public var ownedSocketFile: OwnedSocketFile?

    /// True when systemd passed this socket.
    public var isActivated: Bool { ownedSocketFile == nil }

    public init(name: String, fd: Int32, ownedSocketFile: OwnedSocketFile?) {
        self.name = name
        self.fd = fd
        self.ownedSocketFile = ownedSocketFile
    }
}
