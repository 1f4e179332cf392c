import TestbedProtocol

/// `deployment.list`, `.get`, `.create`, `.destroy`, `.reset_state`. Reads are
/// served from memory; mutations run on the blocking pool.
enum DeploymentMethods {
    static func register(into table: inout MethodTable, services: DaemonServices) {
        let registry = services.registry
        let supervisor = services.supervisor

        table.register(RPCMethod.deploymentList) { (_) throws -> MethodReply<DeploymentList> in
            .encoded(try registry.encodedList())
        }

        table.register(RPCMethod.deploymentGet) {
            (params, _) throws -> MethodReply<Deployment> in
            .encoded(try registry.encoded(params.name))
        }

        table.register(RPCMethod.deploymentCreate) { (params, context) in
            try DeploymentRegistry.checkName(params.name)
            return services.blocking(context) {
                let deployment = try registry.create(
                    name: params.name, projectLocation: params.projectLocation, owner: context.caller.uid)
                services.audit(context, deployment: params.name, "deployment created")
                return deployment
            }
        }

        table.register(RPCMethod.deploymentDestroy) { (params, context) in
            try DeploymentRegistry.checkName(params.name)
            return services.blocking(context) {
                // The registry removes the action logs with the history, before the record.
                try registry.remove(params.name) { deployment in
                    try context.requireOwnership(of: deployment)
                    if supervisor.isBusy(params.name) { throw DeploymentError.busy(name: params.name) }
                    switch deployment.state {
                    case .up:
                        throw DeploymentError.isUp(name: params.name)
                    case .running:
                        throw DeploymentError.busy(name: params.name)
                    case .down, .failed:
                        break
                    }
                }
                services.audit(context, deployment: params.name, "deployment destroyed")
                return EmptyResult()
            }
        }

        table.register(RPCMethod.deploymentResetState) { (params, context) in
            try DeploymentRegistry.checkName(params.name)
            return services.blocking(context) {
                let deployment = try registry.update(params.name) { deployment in
                    try context.requireOwnership(of: deployment)
                    if deployment.state == .running || supervisor.isBusy(params.name) { throw DeploymentError.busy(name: params.name) }
                    deployment.state = .down
                }
                services.audit(context, deployment: params.name, "deployment state reset to down")
                return deployment
            }
        }
    }
}
