import TestbedProtocol

/// One deployment's row in `testbedctl top`.
struct TopDeployment: Sendable, Hashable {
    var name: String
    var state: DeploymentState
    var owner: UInt32?
    /// Its last action (the running one, if any); nil when none has run, or
    /// when it could not be read.
    var lastAction: TopAction?
}
