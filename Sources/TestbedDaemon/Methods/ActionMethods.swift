import NIOCore
import TestbedProtocol

/// The action methods: `deployment.up`, `.down`, `.snapshot`,
/// `.generate_artefacts`, `.clear_artefacts`, `.testbed_snapshot` start
/// actions; `action.list`, `.get`, `.logs`, `.cancel` look after them.
enum ActionMethods {
    static func register(into table: inout MethodTable, services: DaemonServices) {
        table.register(RPCMethod.deploymentUp) { (p, context) in
            let options = DeploymentCommand.UpOptions(
                provision: p.provision ?? false, rerunScripts: p.rerunScripts ?? false, reapplyAcl: p.reapplyAcl ?? false)
            return try start(.up(options), on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentDown) { (p, context) in
            try start(.down, on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentGenerateArtefacts) { (p, context) in
            try start(.generateArtefacts, on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentClearArtefacts) { (p, context) in
            try start(.clearArtefacts, on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentSnapshot) { (p, context) in
            try start(.snapshot(p.snapshot), on: p.name, follow: p.follow ?? false, context, services)
        }
        table.register(RPCMethod.deploymentTestbedSnapshot) { (p, context) in
            try start(.testbedSnapshot(snapshotGuests: p.snapshotGuests ?? false), on: p.name, follow: p.follow ?? false, context, services)
        }

        let registry = services.registry
        let supervisor = services.supervisor

        table.register(RPCMethod.actionList) { (p, _) in
            .now(ActionList(actions: try registry.actions(of: p.name)))
        }
        table.register(RPCMethod.actionRunning) { (_, _) in
            .now(ActionList(actions: supervisor.runningRecords()))
        }
        table.register(RPCMethod.actionGet) { (p, _) in
            .now(try registry.action(p.id))
        }
        table.register(RPCMethod.actionCancel) { (p, context) in
            try context.requireOwnership(of: try registry.deployment(of: try registry.action(p.id)))
            let record = try supervisor.cancel(p.id, by: context.peer.uid)
            services.audit(context, deployment: record.deployment, "action cancel requested")
            return .now(record)
        }
        table.register(RPCMethod.actionLogs) { (p, context) throws -> MethodReply<ActionLogsResult> in
            if let offset = p.offset, offset > UInt64(Int64.max) {
                throw RPCError.invalidParams(field: "offset", "offset \(offset) is beyond any file; give a byte offset from next_offset")
            }
            if let tail = p.tail, tail > ActionLogsParams.maximumTail {
                throw RPCError.invalidParams(field: "tail", "tail \(tail) is more than \(ActionLogsParams.maximumTail) lines")
            }
            let starts = [(p.offset ?? 0) != 0 ? "offset" : nil, p.tail != nil ? "tail" : nil, p.since != nil ? "since" : nil].compactMap { $0 }
            if let since = p.since, since.timeIntervalSinceNow > 1 {
                throw RPCError.invalidParams(field: "since", "since \(JSONCoding.formatTime(since)) is in the future; give a time that has passed")
            }
            if starts.count > 1 {
                throw RPCError.invalidParams(field: starts[1], "give one of offset, tail and since, not \(starts.joined(separator: " and "))")
            }
            try context.requireOwnership(of: try registry.deployment(of: try registry.action(p.id)))
            let log = try supervisor.log(of: p.id)
            let id = p.id
            return .stream { stream in
                let follow = { (offset: UInt64) in
                    LogFollower(
                        log: log, stream: stream, pool: services.logPool, offset: offset, follow: p.follow ?? false,
                        timestamps: p.timestamps ?? false, metrics: services.metrics
                    ) { next, finished in
                        guard let record = finished ?? (try? registry.action(id)) else {
                            stream.fail(RPCError(.notFound, "action \(id) no longer exists"))
                            return
                        }
                        stream.finish(ActionLogsResult(nextOffset: next, finished: finished != nil, action: record))
                    }.start()
                }
                let start: (@Sendable (_ stopped: () -> Bool) -> UInt64)? =
                    if let tail = p.tail {
                        { LogTail.offset(ofLast: Int(tail), linesIn: log.path, stopped: $0) }
                    } else if let since = p.since {
                        { LogTail.offset(since: since, in: log, stopped: $0) }
                    } else {
                        nil
                    }
                guard let start else { return follow(p.offset ?? 0) }
                // Found by reading the file (backwards for tail) on the scan pool, never on the
                // event loop nor the followers' pool; given up once the client has gone.
                let gone = Locked(false)
                stream.onCancel = { gone.withLock { $0 = true } }
                services.scanPool.runIfActive(eventLoop: stream.eventLoop) { start { gone.withLock { $0 } } }
                    .whenComplete { result in follow((try? result.get()) ?? 0) }
            }
        }
    }

    /// Starts an action. Without `follow` the answer is its id, once started;
    /// with it, the log streams and the answer is the outcome, once recorded.
    static func start(
        _ command: DeploymentCommand, on name: String, follow: Bool, _ context: RequestContext, _ services: DaemonServices
    ) throws -> MethodReply<ActionStarted> {
        try OrchestratorCommandLine.validate(command)
        let supervisor = services.supervisor
        let peer = context.peer
        guard follow else {
            return services.blocking(context) {
                let live = try supervisor.start(command, on: name, by: peer, authorize: context.requireOwnership(of:))
                services.audit(context, deployment: name, "action \(command.word) started")
                return ActionStarted(actionID: live.id)
            }
        }
        return .stream { stream in
            services.blockingPool.runIfActive(eventLoop: stream.eventLoop) {
                let live = try supervisor.start(command, on: name, by: peer, authorize: context.requireOwnership(of:))
                services.audit(context, deployment: name, "action \(command.word) started")
                return live
            }.whenComplete { result in
                switch result {
                case .success(let live):
                    LogFollower(
                        log: live.log, stream: stream, pool: services.logPool, offset: 0, follow: true, metrics: services.metrics
                    ) { _, finished in
                        guard let finished else { return stream.fail(RPCError(.internalError, "the action ended without an outcome")) }
                        stream.finish(ActionOutcome(finished))
                    }.start()
                case .failure(let error):
                    stream.fail(RPCError(wire: error))
                }
            }
        }
    }
}
