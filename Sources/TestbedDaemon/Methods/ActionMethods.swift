import NIOCore
import TestbedProtocol

/// The action methods: `deployment.up`, `.down`, `.snapshot`,
/// `.generate_artefacts`, `.clear_artefacts`, `.testbed_snapshot` start
/// actions; `action.list`, `.get`, `.logs`, `.cancel` look after them.
enum ActionMethods {
    static func register(into table: inout MethodTable, services: DaemonServices) {
        table.register(RPCMethod.deploymentUp, role: .operator, params: UpParams.self) { (p, context) throws(RPCError) in
            let options = DeploymentCommand.UpOptions(
                provision: p.provision ?? false, rerunScripts: p.rerunScripts ?? false, reapplyAcl: p.reapplyAcl ?? false)
            return try start(.up(options), on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentDown, role: .operator, params: ActionNameParams.self) { (p, context) throws(RPCError) in
            try start(.down, on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentGenerateArtefacts, role: .operator, params: ActionNameParams.self) { (p, context) throws(RPCError) in
            try start(.generateArtefacts, on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentClearArtefacts, role: .operator, params: ActionNameParams.self) { (p, context) throws(RPCError) in
            try start(.clearArtefacts, on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentSnapshot, role: .operator, params: SnapshotParams.self) { (p, context) throws(RPCError) in
            try start(.snapshot(p.snapshot), on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentTestbedSnapshot, role: .operator, params: TestbedSnapshotParams.self) { (p, context) throws(RPCError) in
            try start(.testbedSnapshot(snapshotGuests: p.snapshotGuests ?? false), on: p.name, follow: p.follow ?? false, context, services)
        }

        let registry = services.registry
        let supervisor = services.supervisor

        table.register(RPCMethod.actionList, role: .reader, params: NameParams.self) { (p, _) throws(RPCError) in
            .now(ActionList(actions: try registry.actions(of: p.name)))
        }
        table.register(RPCMethod.actionGet, role: .reader, params: ActionIDParams.self) { (p, _) throws(RPCError) in
            .now(try registry.action(p.id))
        }
        table.register(RPCMethod.actionCancel, role: .operator, params: ActionIDParams.self) { (p, context) throws(RPCError) in
            let action = try registry.action(p.id)
            if action.startedBy != context.caller.uid {
                try services.policy.requireOwnership(of: try registry.get(action.deployment), context.caller, to: "cancel actions of")
            }
            let record = try supervisor.cancel(p.id, by: context.peer.uid)
            services.audit(context, deployment: record.deployment, "action cancel requested")
            return .now(record)
        }
        table.register(RPCMethod.actionLogs, role: .reader, params: ActionLogsParams.self) { (p, context) throws(RPCError) -> MethodReply<ActionLogsResult> in
            if let offset = p.offset, offset > UInt64(Int64.max) {
                throw RPCError.invalidParams(field: "offset", "offset \(offset) is beyond any file; give a byte offset from next_offset")
            }
            let action = try registry.action(p.id)
            try services.policy.requireLogAccess(of: try registry.get(action.deployment), context.caller)
            let log = try supervisor.log(of: p.id)
            let id = p.id
            return .stream { stream in
                LogFollower(log: log, stream: stream, offset: p.offset ?? 0, follow: p.follow ?? false) { next, finished in
                    guard let record = finished ?? (try? registry.action(id)) else {
                        stream.fail(RPCError(.notFound, "action \(id) no longer exists"))
                        return
                    }
                    stream.finish(ActionLogsResult(nextOffset: next, finished: finished != nil, action: record))
                }.start()
            }
        }
    }

    /// Starts an action. Without `follow` the answer is its id, once started;
    /// with it, the log streams and the answer is the outcome, once recorded.
    static func start(
        _ command: DeploymentCommand, on name: String, follow: Bool, _ context: RequestContext, _ services: DaemonServices
    ) throws(RPCError) -> MethodReply<ActionStarted> {
        try services.policy.requireOwnership(of: try services.registry.get(name), context.caller, to: "run \(command.word) on")
        try OrchestratorCommandLine.validate(command)
        let supervisor = services.supervisor
        let peer = context.peer
        guard follow else {
            return services.blocking(context) {
                let live = try supervisor.start(command, on: name, by: peer)
                services.audit(context, deployment: name, "action \(command.word) started")
                return ActionStarted(actionID: live.id)
            }
        }
        return .stream { stream in
            services.blockingPool.runIfActive(eventLoop: stream.eventLoop) {
                let live = try supervisor.start(command, on: name, by: peer)
                services.audit(context, deployment: name, "action \(command.word) started")
                return live
            }.whenComplete { result in
                switch result {
                case .success(let live):
                    LogFollower(log: live.log, stream: stream, offset: 0, follow: true) { _, finished in
                        guard let finished else { return stream.fail(RPCError(.internalError, "the action ended without an outcome")) }
                        stream.finish(ActionOutcome(finished))
                    }.start()
                case .failure(let error):
                    stream.fail(error as? RPCError ?? RPCError(.internalError, "the action could not start: \(error)"))
                }
            }
        }
    }
}
