/// Why the daemon could not get a socket to listen on.
public struct ListenerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
