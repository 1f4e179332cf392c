/// One guest: a namespace of its own whose `command` runs as the deployment's owner.
public struct Guest: Equatable, Sendable, Codable {
    /// The guest's name: the machine's name, or `<machine>-<i>` for clone `i`.
    public var name: String
    /// The `machines[].name` it comes from.
    public var machine: String
    /// The clone's index for a scaled machine; nil otherwise.
    public var cloneIndex: Int?
    /// Its interfaces: `network` in the file's order, or a clone's one interface from `scaling.interfaces`.
    public var interfaces: [GuestInterface]
    /// `netns.command`: what runs in the guest and keeps running; nil for none.
    public var command: String?
    /// `netns.setup_script`: run once after creation (again with `--rerun-scripts`).
    public var setupScript: String?
    /// `netns.environment`, in the file's order.
    public var environment: [EnvironmentVariable]

    /// A guest from its fields.
    public init(
        name: String, machine: String, cloneIndex: Int? = nil, interfaces: [GuestInterface],
        command: String? = nil, setupScript: String? = nil, environment: [EnvironmentVariable] = []
    ) {
        self.name = name
        self.machine = machine
        self.cloneIndex = cloneIndex
        self.interfaces = interfaces
        self.command = command
        self.setupScript = setupScript
        self.environment = environment
    }
}
