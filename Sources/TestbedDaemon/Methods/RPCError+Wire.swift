import TestbedProtocol

extension RPCError {
    /// What the wire says for an error thrown below the method layer: its
    /// code, and a sentence that says what the caller can do next. The one
    /// place where domain errors become wire errors; an error the method layer
    /// threw itself passes through, and anything else is -32603.
    init(wire error: any Error) {
        switch error {
        case let error as RPCError: self = error
        case let error as DeploymentError: self = Self.wire(error)
        case let error as ProjectLocation.Problem: self = Self.wire(error)
        case let error as ClusterError: self = Self.wire(error)
        default: self = RPCError(.internalError, "the daemon failed to complete the request: \(error)")
        }
    }

    private static func wire(_ error: DeploymentError) -> RPCError {
        switch error {
        case .invalidName(let problem):
            return .invalidParams(field: "name", problem)
        case .notFound(let name):
            return RPCError(.notFound, "no deployment named \"\(name)\"; `testbedctl deployment list` shows the deployments")
        case .alreadyExists(let name, let project):
            return RPCError(
                .alreadyExists, "a deployment named \"\(name)\" already exists (project \(project)); choose another name",
                data: .object(["field": .string("name")]))
        case .actionNotFound(let id):
            return RPCError(.notFound, "no action with id \"\(id)\"; `testbedctl actions NAME` lists a deployment's actions")
        case .busy(let name):
            return RPCError(
                .busy, "an action is in progress on deployment \"\(name)\"; wait for it to finish or cancel it (`testbedctl cancel \(name)`)")
        case .stopping:
            return RPCError(.busy, "testbedd is stopping; start the action again once it is back")
        case .isUp(let name):
            return RPCError(
                .invalidState, "deployment \"\(name)\" is up; bring it down first (`testbedctl down \(name)`), then destroy it")
        case .resetWhileUp(let name):
            return RPCError(
                .invalidState,
                "deployment \"\(name)\" is up, and its guests may still be running: resetting its state only forgets them. "
                    + "Bring it down with `testbedctl down \(name)`, or reset it anyway with --force")
        case .replaced(let name):
            return RPCError(.invalidState, "deployment \"\(name)\" was replaced while the action started; try again")
        case .earlierDeployment(let action, let name):
            return RPCError(
                .invalidState, "action \(action) belongs to an earlier deployment named \"\(name)\", since destroyed; it is not recorded")
        case .recovering(let action, let deployment):
            return RPCError(
                .busy,
                "action \(action) of \"\(deployment)\" was left running by the previous testbedd, which is finding out whether it still runs; try again in a few seconds")
        case .alreadyFinished(let action, let deployment):
            return RPCError(.invalidState, "action \(action) of \"\(deployment)\" has already finished; nothing to cancel")
        case .project(let problem):
            return wire(problem)
        case .cannotRun(let name, let problem):
            return RPCError(problem.isRefusal ? .permissionDenied : .invalidState, "deployment \"\(name)\" cannot run: \(problem.message)")
        case .storage(let sentence):
            return RPCError(.internalError, sentence)
        }
    }

    private static func wire(_ problem: ProjectLocation.Problem) -> RPCError {
        RPCError(problem.isRefusal ? .permissionDenied : .invalidParams, problem.message, data: .object(["field": .string(problem.field)]))
    }

    private static func wire(_ error: ClusterError) -> RPCError {
        switch error {
        case .revoked: RPCError(.permissionDenied, error.description)
        case .storage: RPCError(.internalError, error.description)
        }
    }
}
