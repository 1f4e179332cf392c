/// One `netns.environment` entry.
public struct EnvironmentVariable: Equatable, Sendable, Codable {
    /// The variable's name, matching `[A-Za-z_][A-Za-z0-9_]*`.
    public var name: String
    /// Its value: the YAML scalar's text (`8080`, `true` and `"x"` alike).
    public var value: String

    /// A variable `name` set to `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
