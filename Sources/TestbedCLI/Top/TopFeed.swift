import FoundationEssentials
import TestbedProtocol

/// What feeds `testbedctl top` from the daemon: one snapshot, then the
/// event stream (`events.watch`, started before the snapshot is read, so no
/// change falls between them); the daemon-wide figures, one `server.status`
/// and one `server.metrics` per refresh; and the logs of running actions,
/// followed on a second connection (at most `tailLimit` at once, each
/// ending with its action) for their last lines. Each runs as a task of the
/// caller's group and reports as `TopInput`s.
struct TopFeed {
    /// At most this many running actions' logs are followed at once.
    static let tailLimit = 8

    /// Events, figures and cancels.
    let session: DaemonSession
    /// Logs, so that a fast one never holds up the events.
    let logs: DaemonSession
    let sink: AsyncStream<TopInput>.Continuation
    let interval: Duration

    /// The actions whose logs are followed now, and every one ever followed
    /// (a log that could not be read is not asked for again).
    private var tailing: Set<String> = []
    private var tailed: Set<String> = []
    private var follows = 0
    /// The figures, which may come before the snapshot.
    private var figures: DaemonFigures?

    init(session: DaemonSession, logs: DaemonSession, sink: AsyncStream<TopInput>.Continuation, interval: Duration) {
        self.session = session
        self.logs = logs
        self.sink = sink
        self.interval = interval
    }

    /// Starts the event watch (and with it the snapshot) and the figures.
    func start(in group: inout TaskGroup<Void>) {
        let session = self.session, sink = self.sink, interval = self.interval
        group.addTask {
            do throws(CLIError) {
                var watch = try EventWatch.start(session)
                sink.yield(.snapshot(try await Self.snapshot(session)))
                while !Task.isCancelled { sink.yield(.event(try await watch.next())) }
            } catch {
                if !Task.isCancelled { sink.yield(.failed(error)) }
            }
        }
        group.addTask {
            var previous: DaemonFigures?
            while !Task.isCancelled {
                do throws(CLIError) {
                    let status: ServerStatus = try await session.call(RPCMethod.serverStatus)
                    let metrics = try await session.call(RPCMethod.serverMetrics)
                    let figures = DaemonFigures(status: status, metrics: metrics.text, previous: previous)
                    previous = figures
                    sink.yield(.figures(figures))
                } catch {
                    if !Task.isCancelled { sink.yield(.notice("cannot read testbedd's figures: \(error.message)")) }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Applies what came from the daemon to `model` (nil until the
    /// snapshot), and follows the logs of actions that started. Returns
    /// whether anything shown changed.
    mutating func apply(_ input: TopInput, to model: inout TopModel?, in group: inout TaskGroup<Void>) -> Bool {
        switch input {
        case .snapshot(let snapshot):
            model = snapshot
            model?.figures = figures
        case .event(let event):
            model?.apply(event)
            // Only a start brings a log to follow.
            guard event.kind == .actionStarted else { return true }
        case .figures(let figures):
            self.figures = figures
            model?.figures = figures
            return true
        case .lastLine(let id, let deployment, let line):
            model?.noteLastLine(line, of: id, deployment: deployment)
            return true
        case .tailEnded(let id):
            tailing.remove(id)
        default:
            return false
        }
        if let model { followRunning(model, in: &group) }
        return true
    }

    /// Follows the logs of running actions not yet followed, up to the limit.
    /// The lines of a log the full-screen view starts with.
    static let followedLines: UInt32 = 1000

    private mutating func followRunning(_ model: TopModel, in group: inout TaskGroup<Void>) {
        guard tailing.count < Self.tailLimit else { return }
        for action in model.running where !tailed.contains(action.id) {
            guard tailing.count < Self.tailLimit else { return }
            tailing.insert(action.id)
            tailed.insert(action.id)
            let logs = self.logs, sink = self.sink
            group.addTask {
                do {
                    // Only the last line matters: the daemon starts there, whatever the log's length.
                    let call = try logs.connection.start(RPCMethod.actionLogs, params: ActionLogsParams(id: action.id, follow: true, tail: 1))
                    for try await event in call.events {
                        guard case .chunk(let chunk) = event, let line = LastLogLine.of(chunk.text) else { continue }
                        sink.yield(.lastLine(actionID: action.id, deployment: action.deployment, line: line))
                    }
                } catch {}
                sink.yield(.tailEnded(actionID: action.id))
            }
        }
    }

    /// Follows `action`'s log for the full-screen view; returns the number
    /// its inputs carry, and the request to cancel when the view closes.
    mutating func follow(_ action: TopAction, in group: inout TaskGroup<Void>) -> (follow: Int, request: RequestID?) {
        follows += 1
        let serial = follows, sink = self.sink
        let call: RPCCall
        do {
            call = try logs.connection.start(RPCMethod.actionLogs, params: ActionLogsParams(id: action.id, follow: true, tail: Self.followedLines))
        } catch {
            sink.yield(.logEnded(follow: serial, ending: "cannot read the log: \(DaemonSession.failure(error).message)"))
            return (serial, nil)
        }
        group.addTask {
            do {
                for try await event in call.events {
                    switch event {
                    case .chunk(let chunk):
                        sink.yield(.logText(follow: serial, text: chunk.text))
                    case .result(let payload):
                        let result = try RPCCall.decodeResult(payload, as: ActionLogsResult.self)
                        let ending = result.finished
                            ? ActionRun.describe(ActionOutcome(result.action), verb: action.verb, deployment: action.deployment)
                            : "the log has ended"
                        sink.yield(.logEnded(follow: serial, ending: ending))
                    }
                }
            } catch let error as RPCError where error.code == .requestCancelled {
                // The view was closed.
            } catch {
                sink.yield(.logEnded(follow: serial, ending: "cannot read the log: \(DaemonSession.failure(error).message)"))
            }
        }
        return (serial, call.id)
    }

    /// Ends the full-screen view's follow: the daemon ends its stream, whose
    /// task reads what was on its way and stops.
    func stopFollowing(_ request: RequestID, in group: inout TaskGroup<Void>) {
        let logs = self.logs
        group.addTask { try? await logs.connection.cancel(request) }
    }

    /// Cancels `action`, reporting the daemon's answer.
    func cancel(_ action: TopAction, in group: inout TaskGroup<Void>) {
        let session = self.session, sink = self.sink
        group.addTask {
            do throws(CLIError) {
                let _: ActionRecord = try await session.call(RPCMethod.actionCancel, params: ActionIDParams(id: action.id))
                sink.yield(.notice("cancelling \(action.verb) of \(action.deployment) (action \(action.id.prefix(8)))"))
            } catch {
                sink.yield(.notice("cannot cancel \(action.verb) of \(action.deployment): \(error.message)"))
            }
        }
    }

    // MARK: The snapshot

    /// Every deployment (a page at a time), the last action of each (many
    /// requests in flight at once), and the cluster, read after
    /// `server.status` says which event they start from.
    static func snapshot(_ session: DaemonSession) async throws(CLIError) -> TopModel {
        let status: ServerStatus = try await session.call(RPCMethod.serverStatus)
        var deployments: [Deployment] = []
        var params = DeploymentListParams(limit: 1000)
        while true {
            let page: TestbedProtocol.DeploymentList = try await session.call(RPCMethod.deploymentList, params: params)
            deployments += page.deployments
            guard let next = page.next else { break }
            params.after = next
        }
        let lastActions = await Self.lastActions(of: deployments, in: session)
        // Readers may always read it; a daemon that cannot say is shown without its cluster.
        let cluster: ClusterStatus? = try? await session.call(RPCMethod.clusterStatus)
        return TopModel(deployments: deployments, lastActions: lastActions, cluster: cluster, lastEvent: status.lastEvent ?? 0)
    }

    /// Each deployment's last action by name, up to 64 requests in flight;
    /// one that is gone (its history removed) is left out.
    static func lastActions(of deployments: [Deployment], in session: DaemonSession) async -> [String: ActionRecord] {
        var records: [String: ActionRecord] = [:]
        var pending: [(name: String, call: RPCCall)] = []
        var next = deployments.makeIterator()
        func fill() {
            while pending.count < 64, let deployment = next.next() {
                guard let id = deployment.lastActionUUID,
                    let call = try? session.connection.start(RPCMethod.actionGet, params: ActionIDParams(id: id))
                else { continue }
                pending.append((deployment.name, call))
            }
        }
        fill()
        while !pending.isEmpty {
            let (name, call) = pending.removeFirst()
            if let record = try? await call.result(as: ActionRecord.self) { records[name] = record }
            fill()
        }
        return records
    }
}
