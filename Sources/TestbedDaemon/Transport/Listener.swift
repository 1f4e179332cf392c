import TestbedProtocol

/// A listening socket the daemon serves: adopted from systemd or bound by the
/// daemon itself. Either way the daemon serves a file descriptor, one mechanism.
public struct Listener: Sendable {
    /// The socket's role: `rw` (read-write), `ro` (read-only) or `bridge` (TCP, mutual TLS).
    public var name: String
    /// The listening file descriptor.
    public var fd: Int32
    /// The socket file, when the daemon bound a Unix socket and must remove it at exit.
    public var ownedSocketFile: OwnedSocketFile?

    /// The kind of listener its name says it is (nil for a name testbedd does not know).
    public var kind: ListenerKind? { ListenerKind(rawValue: name) }

    public init(name: String, fd: Int32, ownedSocketFile: OwnedSocketFile?) {
        self.name = name
        self.fd = fd
        self.ownedSocketFile = ownedSocketFile
    }
}
