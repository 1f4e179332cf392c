import TestbedProtocol

/// `deployment.list`, `.get`, `.create`, `.destroy`, `.reset_state`. Reads are
/// served from memory; mutations run on the blocking pool.
enum DeploymentMethods {
    static func register(into table: inout MethodTable, services: DaemonServices) {
        let registry = services.registry
        let supervisor = services.supervisor

        table.register(RPCMethod.deploymentList) { (_) throws(RPCError) -> MethodReply<DeploymentList> in
            .encoded(try registry.encodedList())
        }

        table.register(RPCMethod.deploymentGet) {
            (params, _) throws(RPCError) -> MethodReply<Deployment> in
            .encoded(try registry.encoded(params.name))
        }

        table.register(RPCMethod.deploymentCreate) { (params, context) throws(RPCError) in
            try DeploymentRegistry.checkName(params.name)
            return services.blocking(context) {
                let deployment = try registry.create(
                    name: params.name, projectLocation: params.projectLocation, owner: context.caller.uid)
                services.audit(context, deployment: params.name, "deployment created")
                return deployment
            }
        }

        table.register(RPCMethod.deploymentDestroy) { (params, context) throws(RPCError) in
            try DeploymentRegistry.checkName(params.name)
            return services.blocking(context) {
                // The registry removes the action logs with the history, before the record.
                try registry.remove(params.name) { (deployment) throws(RPCError) in
                    try context.requireOwnership(of: deployment)
                    if supervisor.isBusy(params.name) { throw busy(params.name) }
                    switch deployment.state {
                    case .up:
                        throw RPCError(
                            .invalidState,
                            "deployment \"\(params.name)\" is up; bring it down first (`testbedctl down \(params.name)`), then destroy it")
                    case .running:
                        throw busy(params.name)
                    case .down, .failed:
                        break
                    }
                }
                services.audit(context, deployment: params.name, "deployment destroyed")
                return EmptyResult()
            }
        }

        table.register(RPCMethod.deploymentResetState) { (params, context) throws(RPCError) in
            try DeploymentRegistry.checkName(params.name)
            return services.blocking(context) {
                let deployment = try registry.update(params.name) { (deployment) throws(RPCError) in
                    try context.requireOwnership(of: deployment)
                    if deployment.state == .running || supervisor.isBusy(params.name) { throw busy(params.name) }
                    deployment.state = .down
                }
                services.audit(context, deployment: params.name, "deployment state reset to down")
                return deployment
            }
        }
    }

    static func busy(_ name: String) -> RPCError {
        RPCError(
            .busy,
            "an action is in progress on deployment \"\(name)\"; wait for it to finish or cancel it (`testbedctl cancel \(name)`)")
    }
}
