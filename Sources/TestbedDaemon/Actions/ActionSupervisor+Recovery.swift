import Foundation
import Logging
import NIOPosix
import Synchronization
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Recovery at start-up: actions a previous daemon left unfinished.
extension ActionSupervisor {
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
            ActionLogFile.appendLine(line, toFile: record.logPath)
            // It ended at some moment while no testbedd ran: what is known is that it was over by now.
            record.finishedAt = JSONCoding.millisecondPrecision(registry.clock.now())
            record.finishedAtIsApproximate = true
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
    func resume(_ record: ActionRecord, _ process: any LaunchedProcess) {
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
}
