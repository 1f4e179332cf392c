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

    private struct State {
        /// Deployments with an action starting or running.
        var busy: Set<String> = []
        /// Running actions by id.
        var live: [String: LiveAction] = [:]
        /// Completions in progress, awaited at shutdown.
        var completions: [String: Task<Void, Never>] = [:]
    }

    private let state = Locked(State())
    /// Set once the daemon stops: outcome writes then give up after a few tries.
    private let stopping = Atomic<Bool>(false)

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

    /// How many actions run now.
    public var runningCount: Int { state.withLock { $0.live.count } }

    /// The log of action `id`: live while it runs, finished otherwise. Only an
    /// action of the current deployment of its name has one.
    public func log(of id: String) throws(RPCError) -> ActionLog {
        let record = try registry.action(id)
        if let live = state.withLock({ $0.live[id] }) { return live.log }
        // Recorded as unfinished but not running here: its outcome is being written now.
        return ActionLog(path: record.logPath, finished: record.isFinished ? record : nil)
    }

    // MARK: Starting

    /// Starts `command` on deployment `name` for `caller`. Blocks on disk
    /// writes: call it off the event loop. Refused with -32005 while another
    /// action starts or runs on that deployment.
    public func start(_ command: DeploymentCommand, on name: String, by caller: PeerCredentials) throws(RPCError) -> LiveAction {
        try OrchestratorCommandLine.validate(command)
        let deployment = try registry.get(name)
        if stopping.load(ordering: .relaxed) {
            throw RPCError(.busy, "testbedd is stopping; start the action again once it is back")
        }
        let reserved = state.withLock { $0.busy.insert(name).inserted }
        guard reserved else { throw DeploymentMethods.busy(name) }
        do {
            return try begin(command, on: deployment, by: caller)
        } catch {
            _ = state.withLock { $0.busy.remove(name) }
            throw error
        }
    }

    private func begin(_ command: DeploymentCommand, on deployment: Deployment, by caller: PeerCredentials) throws(RPCError) -> LiveAction {
        let name = deployment.name
        let project: String
        let projectFD: Int32
        do {
            // Checked again at every action: folders and links change. The folder
            // stays open from the check to the launch, and the launch runs in it.
            (projectFD, project) = try ProjectLocation.open(deployment.projectLocation, owner: deployment.ownerUID ?? 0)
        } catch {
            throw RPCError(
                error.code == .permissionDenied ? .permissionDenied : .invalidState,
                "deployment \"\(name)\" cannot run: \(error.message)")
        }
        defer { close(projectFD) }
        let id = UUID().uuidString.lowercased()
        let started = JSONCoding.millisecondPrecision(registry.clock.now())
        let (path, writerFD) = try createLogFile(startedAt: started, deployment: name)
        var record = ActionRecord(
            id: id, deployment: name, command: command, logPath: path, executionTime: started, startedBy: caller.uid,
            deploymentCreationID: deployment.creationID)
        record.previousState = deployment.state
        do {
            try registry.record(record) { (current) throws(RPCError) in
                // The same deployment that was checked, not one destroyed and made again meanwhile.
                guard current.creationID == deployment.creationID, current.createdAt == deployment.createdAt,
                    current.ownerUID == deployment.ownerUID
                else {
                    throw RPCError(.invalidState, "deployment \"\(name)\" was replaced while the action started; try again")
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
        let log = ActionLog(path: path)
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
            environment: Self.orchestratorEnvironment(
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
        let withPid = live.started(process, startTime: ProcessStartTime.of(process.pid))
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
    private func armTimeout(_ live: LiveAction, startedAt: Date) {
        guard let timeout = configuration.actionTimeout else { return }
        let remaining = max(0, timeout - registry.clock.now().timeIntervalSince(startedAt))
        Task {
            try? await Task.sleep(for: .seconds(remaining))
            guard self.state.withLock({ $0.live[live.id] }) != nil else { return }
            self.requestCancel(live, .init(
                uid: getuid(), line: "testbedd: action cancelled: it ran longer than action_timeout (\(Self.seconds(timeout)))"))
        }
    }

    private func track(_ live: LiveAction, _ body: @escaping @Sendable () async -> Void) {
        // Registered under the lock it removes itself under, so a quick action
        // cannot finish before it is registered and leave a stale entry.
        state.withLock { $0.completions[live.id] = Task { await body() } }
    }

    // MARK: Cancelling

    /// Cancels action `id` on behalf of `uid`: SIGTERM to its whole process
    /// group, SIGKILL after `cancel_grace`. Returns the record as it stands.
    public func cancel(_ id: String, by uid: UInt32) throws(RPCError) -> ActionRecord {
        let record = try registry.action(id)
        guard let live = state.withLock({ $0.live[id] }) else {
            throw RPCError(.invalidState, "action \(id) of \"\(record.deployment)\" has already finished; nothing to cancel")
        }
        requestCancel(live, .init(uid: uid, line: "testbedd: action cancelled by uid \(uid)"))
        return live.record
    }

    private func requestCancel(_ live: LiveAction, _ cancellation: LiveAction.Cancellation) {
        guard let process = live.cancel(cancellation) else { return }
        logger.notice("cancelling action", metadata: [
            "action_id": "\(live.id)", "deployment": "\(live.deployment)", "uid": "\(cancellation.uid)",
        ])
        terminate(live, process)
    }

    /// SIGTERM to the action's whole process group, SIGKILL after the grace period.
    private func terminate(_ live: LiveAction, _ process: any LaunchedProcess) {
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
    private func signal(_ process: any LaunchedProcess, _ number: Int32) {
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

    // MARK: Completing

    enum Ending: Sendable {
        case terminated(ProcessTermination)
        case launchFailed(String)
    }

    private func complete(_ live: LiveAction, _ ending: Ending, watch: Int32?) async {
        let cancellation = live.cancellation
        // A cancelled action leaves nothing behind: whatever of its process group
        // outlived the orchestrator (a child that ignored SIGTERM) goes now.
        if cancellation != nil, let process = live.process { signal(process, SIGKILL) }
        if let cancellation { appendLine(cancellation.line, to: live) }
        var record = live.record
        record.finishedAt = JSONCoding.millisecondPrecision(registry.clock.now())
        record.cancelledBy = cancellation?.uid
        var succeeded = false
        switch ending {
        case .terminated(.exited(let code)):
            record.errorCode = code
            succeeded = code == 0 && cancellation == nil
        case .terminated(.signaled(let signal)):
            record.signal = signal
        case .launchFailed(let why):
            record.note = "the orchestrator could not be started: \(why)"
        }
        if let cancellation, record.note == nil { record.note = cancellation.line.replacingOccurrences(of: "testbedd: ", with: "") }
        let command = live.command
        let previous = live.previousState
        let newState: DeploymentState? =
            if command.isReadOnly { nil }
            else if !succeeded { .failed(command) }
            else {
                switch command {
                case .up: .up
                case .down, .clearArtefacts: .down
                default: previous
                }
            }
        let finalRecord = await recordOutcome(record, newState: newState)
        // Only now that the outcome is durable may the launcher forget the process (a unit is removed).
        live.process?.release()
        if let watch { watcher.stop(watch) }
        close(live.writerFD)
        // Followers learn the outcome only now that it is durable.
        live.log.finish(finalRecord)
        state.withLock { state in
            state.live.removeValue(forKey: live.id)
            state.busy.remove(live.deployment)
            state.completions.removeValue(forKey: live.id)
        }
        logger.info("action finished", metadata: [
            "action_id": "\(live.id)", "deployment": "\(live.deployment)", "command": "\(command.word)",
            "outcome": "\(Self.describe(finalRecord))",
        ])
    }

    /// Writes the outcome (retrying while the disk refuses, so nothing stays `running`).
    private func recordOutcome(_ record: ActionRecord, newState: DeploymentState?) async -> ActionRecord {
        var attempt = 0
        while true {
            do {
                return try await blockingPool.runIfActive { [registry] in
                    var record = record
                    // end_state is where the deployment stands once this is written; no one
                    // else changes the state of a busy deployment.
                    record.endState = try newState ?? registry.get(record.deployment).state
                    try registry.record(record) { deployment in
                        if let newState { deployment.state = newState }
                    }
                    return record
                }
            } catch {
                // Until the outcome is on disk the deployment stays busy here; if the
                // daemon stops first, the next start records the action as interrupted.
                attempt += 1
                if attempt == 1 || attempt % 60 == 0 {
                    logger.error("cannot record the outcome of action \(record.id) (attempt \(attempt)); retrying: \(error)")
                }
                if stopping.load(ordering: .relaxed) && attempt >= 5 { return record }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    // MARK: Recovery

    /// Marks failed every action a previous daemon left unfinished: its process
    /// is gone (or, if it somehow survived, is killed: nothing can follow it now).
    /// Call once at start-up, before serving.
    public func recoverInterrupted() {
        for var record in registry.unfinishedActions() {
            if let process = launcher.reattach(actionID: record.id) {
                resume(record, process)
                continue
            }
            var line = "testbedd: action interrupted: testbedd stopped while it ran"
            if let pid = record.pid, let start = record.pidStartTime, ProcessStartTime.of(pid) == start {
                kill(-pid, SIGKILL)
                line += "; its leftover processes (group \(pid)) were killed"
            }
            Self.appendLine(line, toFile: record.logPath)
            record.finishedAt = JSONCoding.millisecondPrecision(registry.clock.now())
            record.note = "interrupted: testbedd stopped while it ran"
            do {
                let current = try registry.get(record.deployment).state
                let newState: DeploymentState =
                    !record.command.isReadOnly && current == .running ? .failed(record.command) : current
                record.endState = newState
                try registry.record(record) { $0.state = newState }
                logger.warning("recorded an interrupted action as failed", metadata: [
                    "action_id": "\(record.id)", "deployment": "\(record.deployment)",
                ])
            } catch {
                logger.error("cannot record interrupted action \(record.id): \(error)")
            }
        }
        // A deployment left `running` without an unfinished action (a crash between two writes).
        for deployment in registry.list() where deployment.state == .running && !isBusy(deployment.name) {
            let last = deployment.lastActionUUID.flatMap { try? registry.action($0) }
            _ = try? registry.update(deployment.name) { $0.state = .failed(last?.command ?? .down) }
            logger.warning("deployment was left running with no action; marked failed", metadata: ["deployment": "\(deployment.name)"])
        }
    }

    /// Follows again an action whose orchestrator outlived a restart of the daemon.
    private func resume(_ record: ActionRecord, _ process: any LaunchedProcess) {
        let writerFD = open(record.logPath, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        let log = ActionLog(path: record.logPath)
        let live = LiveAction(
            record: record, log: log, previousState: record.previousState ?? .down, writerFD: writerFD)
        _ = live.started(process, startTime: record.pidStartTime)
        let watch = try? watcher.watch(log)
        state.withLock { state in
            state.busy.insert(record.deployment)
            state.live[record.id] = live
        }
        logger.info("re-attached to a running action", metadata: [
            "action_id": "\(record.id)", "deployment": "\(record.deployment)",
        ])
        track(live) {
            let termination = await process.waitForExit()
            live.markExited()
            await self.complete(live, .terminated(termination), watch: watch)
        }
        armTimeout(live, startedAt: record.executionTime)
    }

    // MARK: Retention

    /// Removes finished actions older than `log_retention_days`, and beyond the
    /// newest `log_keep_actions` per deployment, with their log files; never a
    /// running action nor a deployment's last one. Blocks on disk I/O.
    public func sweepLogs() {
        let cutoff = registry.clock.now().addingTimeInterval(-configuration.logRetentionDays * 86_400)
        for deployment in registry.list() {
            guard let actions = try? registry.actions(of: deployment.name) else { continue }
            let running = state.withLock { Set($0.live.keys) }
            var expired: [ActionRecord] = []
            for (index, action) in actions.reversed().enumerated() {
                guard let finished = action.finishedAt, action.id != deployment.lastActionUUID,
                    !running.contains(action.id)
                else { continue }
                if index >= configuration.logKeepActions || finished < cutoff { expired.append(action) }
            }
            guard !expired.isEmpty else { continue }
            do {
                // The history first: a crash in between leaves a stray file, never a record without its log.
                try registry.forgetActions(Set(expired.map(\.id)), of: deployment.name)
                for action in expired { unlink(action.logPath) }
                logger.info("removed \(expired.count) old action logs", metadata: ["deployment": "\(deployment.name)"])
            } catch {
                logger.error("cannot remove old action logs of \(deployment.name): \(error)")
            }
        }
    }

    // MARK: Files

    private func createLogFile(startedAt: Date, deployment: String) throws(RPCError) -> (String, Int32) {
        let stamp = JSONCoding.withMilliseconds.format(startedAt)
        for attempt in 0..<100 {
            let path = logFolder + "/" + stamp + (attempt == 0 ? "" : "-\(attempt)") + "-" + deployment + ".log"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o640)
            if fd >= 0 { return (path, fd) }
            if errno != EEXIST {
                throw RPCError(.internalError, "cannot create the action log \(path): \(String(cString: strerror(errno)))")
            }
        }
        throw RPCError(.internalError, "cannot create a unique action log name in \(logFolder)")
    }

    private func appendLine(_ line: String, to live: LiveAction) {
        Self.appendLine(line, toFile: live.log.path, fd: live.writerFD)
    }

    /// Appends `line` on a line of its own (after a newline if the log does not end with one).
    static func appendLine(_ line: String, toFile path: String, fd: Int32? = nil) {
        let owned = fd == nil
        let descriptor = fd ?? open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return }
        defer { if owned { close(descriptor) } }
        var info = stat()
        var text = line + "\n"
        if fstat(descriptor, &info) == 0, info.st_size > 0 {
            let reader = open(path, O_RDONLY | O_CLOEXEC)
            var last: UInt8 = 0
            if reader >= 0 {
                _ = pread(reader, &last, 1, info.st_size - 1)
                close(reader)
            }
            if last != UInt8(ascii: "\n") { text = "\n" + text }
        }
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
    }

    static func orchestratorEnvironment(
        id: String, deployment: String, project: String, owner: UInt32, stateDirectory: String
    ) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // The daemon's own service variables belong to it, not to the orchestrator (or its unit).
        for key in [
            "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "TESTBED_SOCKET",
            "INVOCATION_ID", "JOURNAL_STREAM", "SYSTEMD_EXEC_PID", "RUNTIME_DIRECTORY", "STATE_DIRECTORY",
            "CREDENTIALS_DIRECTORY", "MAINPID", "MANAGERPID",
        ] {
            environment.removeValue(forKey: key)
        }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        environment["TESTBED_ACTION_ID"] = id
        environment["TESTBED_DEPLOYMENT"] = deployment
        environment["TESTBED_PROJECT_DIR"] = project
        // Whose project it is: an orchestrator running as root acts for this user.
        environment["TESTBED_OWNER_UID"] = String(owner)
        // Where the orchestrator may keep root-only state of its own.
        environment["TESTBED_STATE_DIR"] = stateDirectory
        return environment
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
