import Foundation
import Logging
import NIOPosix
import Synchronization
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Runs orchestration actions: at most one per deployment, each with a log
/// file, a durable record, the right end state, cancellation, a timeout, and
/// recovery of actions a stopped daemon left unfinished.
public final class ActionSupervisor: Sendable {
    let registry: DeploymentRegistry
    let launcher: any ActionLauncher
    let watcher: LogWatcher
    let configuration: DaemonConfiguration
    let blockingPool: NIOThreadPool
    /// D-Bus calls (signalling a unit): a pool of their own, so that a slow bus
    /// never holds up disk work, nor an event loop.
    let busPool: NIOThreadPool
    let logger: Logger
    /// `<state_dir>/logs/orchestration`.
    public let logFolder: String

    struct State {
        /// Deployments with an action starting or running.
        var busy: Set<String> = []
        /// Running actions by id.
        var live: [String: LiveAction] = [:]
        /// Completions in progress, awaited at shutdown.
        var completions: [String: Task<Void, Never>] = [:]
        /// Actions a previous daemon left unfinished, not decided about yet:
        /// their deployment, and the log their followers wait on meanwhile.
        var recovering: [String: (deployment: String, log: ActionLog)] = [:]

        /// Frees `deployment` unless an action of it still runs or is held for recovery.
        mutating func release(_ deployment: String) {
            guard !live.values.contains(where: { $0.deployment == deployment }),
                !recovering.values.contains(where: { $0.deployment == deployment })
            else { return }
            busy.remove(deployment)
        }
    }

    let state = Locked(State())
    /// Set once the daemon stops: outcome writes then give up after a few tries.
    let stopping = Atomic<Bool>(false)

    public init(
        registry: DeploymentRegistry, launcher: any ActionLauncher, watcher: LogWatcher,
        configuration: DaemonConfiguration, blockingPool: NIOThreadPool, busPool: NIOThreadPool? = nil, logger: Logger
    ) throws {
        self.registry = registry
        self.launcher = launcher
        self.watcher = watcher
        self.configuration = configuration
        self.blockingPool = blockingPool
        self.busPool = busPool ?? blockingPool
        self.logger = logger
        self.logFolder = configuration.stateDirectory + "/logs/orchestration"
        try AtomicFile.makeFolder(logFolder, mode: 0o750)
    }

    // MARK: Queries

    /// True while an action starts or runs on deployment `name`.
    public func isBusy(_ name: String) -> Bool { state.withLock { $0.busy.contains(name) } }

    /// The records of the actions running now, the longest-running first.
    public func runningRecords() -> [ActionRecord] {
        state.withLock { Array($0.live.values) }.map(\.record).filter { !$0.isFinished }
            .sorted { ($0.executionTime, $0.id) < ($1.executionTime, $1.id) }
    }

    /// How many actions run now, or are held until testbedd knows whether they still run.
    public var runningCount: Int { state.withLock { $0.live.count + $0.recovering.count } }

    /// The log of action `id`: live while it runs, finished otherwise. Only an
    /// action of the current deployment of its name has one.
    public func log(of id: String) throws(DeploymentError) -> ActionLog {
        // Looked up before the record is read: an action that ends in between
        // then has its outcome in the record, never a log nobody will finish.
        let current = state.withLock { $0.live[id]?.log ?? $0.recovering[id]?.log }
        let record = try registry.action(id)
        if let current { return current }
        // Recorded as unfinished but not running here: its outcome is being written now.
        return ActionLog(path: record.logPath, finished: record.isFinished ? record : nil)
    }

    // MARK: Starting

    /// Starts `command` on deployment `name` for `caller`, once `authorize`
    /// accepts the deployment's record. Blocks on disk writes: call it off the
    /// event loop. Refused with -32005 while another action starts or runs on
    /// that deployment.
    ///
    /// `authorize` judges the record read here; the start is then recorded
    /// only if the deployment still has that record's creation id and owner,
    /// so its answer holds for the deployment the action runs on.
    public func start(
        _ command: DeploymentCommand, on name: String, by caller: PeerCredentials,
        authorize: (Deployment) throws -> Void = { _ in }
    ) throws -> LiveAction {
        try OrchestratorCommandLine.validate(command)
        let deployment = try registry.get(name)
        try authorize(deployment)
        if stopping.load(ordering: .relaxed) {
            throw DeploymentError.stopping
        }
        let reserved = state.withLock { $0.busy.insert(name).inserted }
        guard reserved else { throw DeploymentError.busy(name: name) }
        do {
            return try begin(command, on: deployment, by: caller)
        } catch {
            _ = state.withLock { $0.busy.remove(name) }
            throw error
        }
    }

    func begin(_ command: DeploymentCommand, on deployment: Deployment, by caller: PeerCredentials) throws -> LiveAction {
        let name = deployment.name
        let project: String
        let projectFD: Int32
        do {
            // Checked again at every action: folders and links change. The folder
            // stays open from the check to the launch, and the launch runs in it.
            (projectFD, project) = try ProjectLocation.open(deployment.projectLocation, owner: deployment.ownerUID ?? 0)
        } catch {
            throw DeploymentError.cannotRun(name: name, error)
        }
        defer { close(projectFD) }
        let id = UUID().uuidString.lowercased()
        let started = JSONCoding.millisecondPrecision(registry.clock.now())
        let (path, writerFD) = try ActionLogFile.create(in: logFolder, startedAt: started, deployment: name)
        var record = ActionRecord(
            id: id, deployment: name, command: command, logPath: path, executionTime: started, startedBy: caller.uid,
            deploymentCreationID: deployment.creationID)
        record.previousState = deployment.state
        do {
            try registry.record(record) { current in
                // The same deployment that was checked, not one destroyed and made again meanwhile.
                guard current.creationID == deployment.creationID, current.createdAt == deployment.createdAt,
                    current.ownerUID == deployment.ownerUID
                else {
                    throw DeploymentError.replaced(name: name)
                }
                current.lastActionUUID = id
                if !command.isReadOnly { current.state = .running }
            }
        } catch {
            close(writerFD)
            unlink(path)
            // The history may have been written before the deployment failed to be.
            try? registry.forgetActions([id], of: name)
            throw error
        }
        let log = ActionLog(path: path, recordsTimes: true)
        let live = LiveAction(record: record, log: log, previousState: deployment.state, writerFD: writerFD)
        let watch: Int32?
        do {
            watch = try watcher.watch(log)
        } catch {
            watch = nil
            logger.warning("followers of action \(id) get new lines only when it ends: \(error)")
        }
        state.withLock { $0.live[id] = live }
        logger.info("action started", metadata: [
            "action_id": "\(id)", "deployment": "\(name)", "command": "\(command.word)", "uid": "\(caller.uid)",
        ])

        let invocation = OrchestratorInvocation(
            executable: configuration.orchestrator,
            arguments: ["--project-name", name] + OrchestratorCommandLine.arguments(for: command),
            workingDirectory: project,
            workingDirectoryFD: projectFD,
            folderOwner: deployment.ownerUID ?? 0,
            environment: OrchestratorEnvironment.make(
                id: id, deployment: name, project: project, owner: deployment.ownerUID ?? 0,
                stateDirectory: configuration.stateDirectory),
            outputFD: writerFD)
        let process: any LaunchedProcess
        do {
            process = try launcher.launch(invocation)
        } catch {
            appendLine("testbedd: cannot start the orchestrator: \(error)", to: live)
            track(live) { await self.complete(live, .launchFailed("\(error)"), watch: watch) }
            return live
        }
        let pid = process.pid
        let withPid = live.started(process, pid: pid, startTime: ProcessStartTime.of(pid))
        _ = try? registry.record(withPid)
        // A cancel (or a stop) that came while the process was being started had nothing to signal yet.
        if live.cancellation != nil { terminate(live, process) }
        track(live) {
            let termination = await process.waitForExit()
            live.markExited()
            await self.complete(live, .terminated(termination), watch: watch)
        }
        armTimeout(live, startedAt: started)
        return live
    }

    /// Cancels `live` once it has run for `action_timeout` since `startedAt`.
    func armTimeout(_ live: LiveAction, startedAt: Date) {
        guard let timeout = configuration.actionTimeout else { return }
        let remaining = max(0, timeout - registry.clock.now().timeIntervalSince(startedAt))
        Task {
            try? await Task.sleep(for: .seconds(remaining))
            guard self.state.withLock({ $0.live[live.id] }) != nil else { return }
            self.requestCancel(live, .init(
                uid: getuid(), line: "testbedd: action cancelled: it ran longer than action_timeout (\(Self.seconds(timeout)))"))
        }
    }

    func track(_ live: LiveAction, _ body: @escaping @Sendable () async -> Void) {
        // Registered under the lock it removes itself under, so a quick action
        // cannot finish before it is registered and leave a stale entry.
        state.withLock { $0.completions[live.id] = Task { await body() } }
    }

    // MARK: Cancelling

    /// Cancels action `id` on behalf of `uid`: SIGTERM to its whole process
    /// group, SIGKILL after `cancel_grace`. Returns the record as it stands.
    public func cancel(_ id: String, by uid: UInt32) throws(DeploymentError) -> ActionRecord {
        let record = try registry.action(id)
        let (live, held) = state.withLock { ($0.live[id], $0.recovering[id] != nil) }
        if held { throw .recovering(action: id, deployment: record.deployment) }
        guard let live else {
            throw .alreadyFinished(action: id, deployment: record.deployment)
        }
        requestCancel(live, .init(uid: uid, line: "testbedd: action cancelled by uid \(uid)"))
        return live.record
    }

    func requestCancel(_ live: LiveAction, _ cancellation: LiveAction.Cancellation) {
        guard let process = live.cancel(cancellation) else { return }
        logger.notice("cancelling action", metadata: [
            "action_id": "\(live.id)", "deployment": "\(live.deployment)", "uid": "\(cancellation.uid)",
        ])
        terminate(live, process)
    }

    /// SIGTERM to the action's whole process group, SIGKILL after the grace period.
    func terminate(_ live: LiveAction, _ process: any LaunchedProcess) {
        signal(process, SIGTERM)
        let grace = configuration.cancelGrace
        Task {
            try? await Task.sleep(for: .seconds(grace))
            // Gone already (its outcome may still be on its way to disk): nothing ignored SIGTERM.
            guard !live.hasExited, self.state.withLock({ $0.live[live.id] }) != nil else { return }
            self.logger.warning("action ignored SIGTERM for \(Self.seconds(grace)); sending SIGKILL", metadata: ["action_id": "\(live.id)"])
            self.signal(process, SIGKILL)
        }
    }

    /// Signals the action's processes: at once for a child process, on the bus
    /// pool for a unit (a D-Bus call may block).
    func signal(_ process: any LaunchedProcess, _ number: Int32) {
        guard process.signallingBlocks else { return process.signalAll(number) }
        busPool.submit { _ in process.signalAll(number) }
    }

    /// Cancels every running action and waits until each outcome is recorded
    /// (graceful shutdown: a child-process orchestrator would not outlive us tidily).
    public func stopAll(reason: String) async {
        stopping.store(true, ordering: .relaxed)
        // Actions in units of their own go on; the next start re-attaches to them.
        if launcher.actionsSurviveTheDaemon {
            logger.info("leaving \(runningCount) running actions to systemd; testbedd re-attaches when it starts")
            return
        }
        let running = state.withLock { Array($0.live.values) }
        for live in running {
            requestCancel(live, .init(uid: getuid(), line: "testbedd: action cancelled: \(reason)"))
        }
        // Actions still starting register their completion a moment later: wait for all.
        while let (id, task) = state.withLock({ $0.completions.first }) {
            await task.value
            _ = state.withLock { $0.completions.removeValue(forKey: id) }
            for live in state.withLock({ Array($0.live.values) }) {
                requestCancel(live, .init(uid: getuid(), line: "testbedd: action cancelled: \(reason)"))
            }
        }
    }

    // MARK: Retention

    /// Removes old finished actions and their logs (`ActionRetention`), never a
    /// running one. Blocks on disk I/O.
    public func sweepLogs() {
        let running = state.withLock { Set($0.live.keys) }
        ActionRetention(registry: registry, configuration: configuration, logger: logger).sweep(sparing: running)
    }

    /// Appends `line` to `live`'s log on a line of its own.
    func appendLine(_ line: String, to live: LiveAction) {
        ActionLogFile.appendLine(line, toFile: live.log.path, fd: live.writerFD)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }

    /// The outcome in words, for logs.
    static func describe(_ record: ActionRecord) -> String {
        if let note = record.note { return note }
        if let signal = record.signal { return "killed by signal \(signal)" }
        if let code = record.errorCode { return code == 0 ? "succeeded" : "failed with exit code \(code)" }
        return "unknown"
    }
}
