import TestbedProtocol

/// `deployment.list`, `.get`, `.create`, `.destroy`, `.reset_state`. Reads are
/// served from memory; mutations run on the blocking pool.
enum DeploymentMethods {
    static func register(into table: inout MethodTable, services: DaemonServices) {
        let registry = services.registry
        let supervisor = services.supervisor

        table.register(RPCMethod.deploymentList) { params, _ in
            // The whole list, as clients before paging ask for it, is encoded once per change.
            guard params != DeploymentListParams() else { return .encoded(try registry.encodedList()) }
            if let limit = params.limit, !(1...DeploymentListParams.maximumLimit).contains(limit) {
                throw RPCError.invalidParams(
                    field: "limit", "limit must be from 1 to \(DeploymentListParams.maximumLimit), not \(limit); page with next for more")
            }
            if let state = params.state, !DeploymentListParams.states.contains(state) {
                throw RPCError.invalidParams(
                    field: "state", "there is no state \"\(state)\"; use one of \(DeploymentListParams.states.joined(separator: ", "))")
            }
            return .encoded(try registry.encodedPage(after: params.after, limit: params.limit) { deployment in
                (params.state.map { deployment.state.summary == $0 } ?? true)
                    && (params.owner.map { deployment.ownerUID ?? 0 == $0 } ?? true)
            })
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
                    if deployment.state == .up, params.force != true { throw DeploymentError.resetWhileUp(name: params.name) }
                    deployment.state = .down
                }
                services.audit(context, deployment: params.name, "deployment state reset to down")
                return deployment
            }
        }
    }
}
