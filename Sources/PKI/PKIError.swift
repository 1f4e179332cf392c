/// A certificate operation that failed, with a sentence the user can act on.
public struct PKIError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
