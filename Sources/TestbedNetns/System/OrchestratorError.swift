/// Why an orchestrator command failed: a sentence for the action's log and the
/// exit status testbedctl passes on (docs/orchestrator.md, "testbed-netns").
public struct OrchestratorError: Error, Sendable, CustomStringConvertible {
    /// The exit status, kept within 1...63 so testbedctl passes it on.
    public struct Code: Hashable, Sendable {
        public let exitStatus: Int32
        /// Anything that went wrong while acting; what was created is rolled back.
        public static let failed = Code(exitStatus: 1)
        /// The project's kvm-compose.yaml is refused; nothing was done.
        public static let invalidProject = Code(exitStatus: 2)
        /// A resource with this project's names exists that its state does not record.
        public static let conflict = Code(exitStatus: 3)
        /// The request cannot be done in the deployment's present state (clear while up, …).
        public static let wrongState = Code(exitStatus: 4)
        /// An unknown guest or snapshot.
        public static let notFound = Code(exitStatus: 5)
        /// The action was cancelled (SIGTERM).
        public static let cancelled = Code(exitStatus: 6)
        /// The command line or environment is not the orchestrator contract's.
        public static let usage = Code(exitStatus: 64)
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static let cancelled = OrchestratorError(.cancelled, "cancelled")

    public var description: String { message }
}
