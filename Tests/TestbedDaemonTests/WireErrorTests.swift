import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The one mapping from domain errors to the wire: each gets its code, its
/// field, and a sentence that says what to do next.
@Suite struct WireErrorTests {
    @Test(arguments: [
        (DeploymentError.invalidName(problem: "a deployment name cannot be empty"), RPCErrorCode.invalidParams, "name",
         "a deployment name cannot be empty"),
        (.notFound(name: "lab"), .notFound, nil, "no deployment named \"lab\"; `testbedctl deployment list` shows the deployments"),
        (.alreadyExists(name: "lab", project: "/p"), .alreadyExists, "name",
         "a deployment named \"lab\" already exists (project /p); choose another name"),
        (.actionNotFound(id: "a1"), .notFound, nil, "no action with id \"a1\"; `testbedctl actions NAME` lists a deployment's actions"),
        (.busy(name: "lab"), .busy, nil,
         "an action is in progress on deployment \"lab\"; wait for it to finish or cancel it (`testbedctl cancel lab`)"),
        (.stopping, .busy, nil, "testbedd is stopping; start the action again once it is back"),
        (.isUp(name: "lab"), .invalidState, nil,
         "deployment \"lab\" is up; bring it down first (`testbedctl down lab`), then destroy it"),
        (.replaced(name: "lab"), .invalidState, nil, "deployment \"lab\" was replaced while the action started; try again"),
        (.alreadyFinished(action: "a1", deployment: "lab"), .invalidState, nil,
         "action a1 of \"lab\" has already finished; nothing to cancel"),
        (.project(.refused("project_location", "project folder /p is writable by everyone")), .permissionDenied, "project_location",
         "project folder /p is writable by everyone"),
        (.project(.invalid("project_location", "x is not a folder")), .invalidParams, "project_location", "x is not a folder"),
        (.cannotRun(name: "lab", .refused("project_location", "it moved")), .permissionDenied, nil,
         "deployment \"lab\" cannot run: it moved"),
        (.cannotRun(name: "lab", .invalid("project_location", "it is gone")), .invalidState, nil,
         "deployment \"lab\" cannot run: it is gone"),
        (.storage("could not save deployment \"lab\": disk full; nothing was changed"), .internalError, nil,
         "could not save deployment \"lab\": disk full; nothing was changed"),
    ] as [(DeploymentError, RPCErrorCode, String?, String)])
    func eachDeploymentErrorHasItsCodeAndSentence(error: DeploymentError, code: RPCErrorCode, field: String?, message: String) {
        let wire = RPCError(wire: error)
        #expect(wire.code == code)
        #expect(wire.field == field)
        #expect(wire.message == message)
    }

    @Test func clusterErrorsAndOthers() {
        #expect(RPCError(wire: ClusterError.revoked(chassis: "node1", serial: "aa"))
            == RPCError(.permissionDenied, "the certificate of node1 (serial aa) has been revoked"))
        #expect(RPCError(wire: ClusterError.storage("cannot write x")) == RPCError(.internalError, "cannot write x"))
        let own = RPCError(.invalidState, "as the method said")
        #expect(RPCError(wire: own) == own)
        struct Unexpected: Error {}
        #expect(RPCError(wire: Unexpected()).code == .internalError)
    }
}
