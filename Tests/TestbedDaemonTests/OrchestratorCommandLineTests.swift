import Testing
import TestbedProtocol
@testable import TestbedDaemon

@Suite struct OrchestratorCommandLineTests {
    @Test(arguments: [
        (DeploymentCommand.up(.init()), ["up"]),
        (.up(.init(provision: true, rerunScripts: true, reapplyAcl: true)), ["up", "--provision", "--rerun-scripts", "--reapply-acl"]),
        (.up(.init(reapplyAcl: true)), ["up", "--reapply-acl"]),
        (.down, ["down"]),
        (.generateArtefacts, ["generate-artefacts"]),
        (.clearArtefacts, ["clear-artefacts"]),
        (.testbedSnapshot(snapshotGuests: false), ["testbed-snapshot"]),
        (.testbedSnapshot(snapshotGuests: true), ["testbed-snapshot", "--snapshot-guests"]),
        (.snapshot(.create(.init(name: "g", snapshot: "s"))), ["snapshot", "create", "--name", "g", "--snapshot", "s"]),
        (.snapshot(.create(.init(all: true))), ["snapshot", "create", "--all"]),
        (.snapshot(.delete(.init(name: "g", snapshot: "s"))), ["snapshot", "delete", "--name", "g", "--snapshot", "s"]),
        (.snapshot(.delete(.init(all: true))), ["snapshot", "delete", "--all"]),
        (.snapshot(.restore(.init(name: "g", snapshot: "s"))), ["snapshot", "restore", "--name", "g", "--snapshot", "s"]),
        (.snapshot(.restore(.init(all: true))), ["snapshot", "restore", "--all"]),
        (.snapshot(.info(name: "g")), ["snapshot", "info", "--name", "g"]),
        (.snapshot(.list(name: "g", all: false)), ["snapshot", "list", "--name", "g"]),
        (.snapshot(.list(name: nil, all: true)), ["snapshot", "list", "--all"]),
    ])
    func eachCommandMirrorsKvmComposesCLI(command: DeploymentCommand, arguments: [String]) throws {
        try OrchestratorCommandLine.validate(command)
        #expect(OrchestratorCommandLine.arguments(for: command) == arguments)
    }

    @Test(arguments: [
        (DeploymentCommand.snapshot(.create(.init(name: "g", snapshot: "s", all: true))), "snapshot.all"),
        (.snapshot(.create(.init(name: "g"))), "snapshot.snapshot"),
        (.snapshot(.create(.init(snapshot: "s"))), "snapshot.name"),
        (.snapshot(.delete(.init(name: "-rf", snapshot: "s"))), "snapshot.name"),
        (.snapshot(.restore(.init(name: "g", snapshot: "a b"))), "snapshot.snapshot"),
        (.snapshot(.info(name: "")), "snapshot.name"),
        (.snapshot(.info(name: "--all")), "snapshot.name"),
        (.snapshot(.list(name: nil, all: false)), "snapshot.name"),
        (.snapshot(.list(name: "g", all: true)), "snapshot.all"),
        (.snapshot(.create(.init(name: "g/../x", snapshot: "s"))), "snapshot.name"),
    ])
    func malformedSnapshotCommandsAreRefused(command: DeploymentCommand, field: String) {
        let error = #expect(throws: RPCError.self) { try OrchestratorCommandLine.validate(command) }
        #expect(error?.code == .invalidParams)
        #expect(error?.field == field)
    }
}
