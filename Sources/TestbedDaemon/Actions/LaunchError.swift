/// Why the orchestrator could not be started.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
