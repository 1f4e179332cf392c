import Foundation
import Logging
import NIOPosix
import Synchronization
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Recovery at start-up: actions a previous daemon left unfinished. The
/// deployments concerned are held back at once (`reserveUnfinished`); what
/// became of each action is decided while the daemon already serves
/// (`recoverInterrupted`), its disk work on the blocking pool and its D-Bus
/// questions on the bus pool.
extension ActionSupervisor {
    // MARK: Recovery

    /// Holds back every deployment with an action a previous daemon left
    /// unfinished until `recoverInterrupted` has decided about it: no action
    /// starts there, it cannot be destroyed, and followers of the action wait
    /// for its outcome. Memory, and the times file each such log gets (`LogTimeRecorder`): call it at start-up, before serving.
    public func reserveUnfinished() {
        let unfinished = registry.unfinishedActions()
        state.withLock { state in
            for record in unfinished {
                state.busy.insert(record.deployment)
                state.recovering[record.id] = (record.deployment, ActionLog(path: record.logPath, recordsTimes: true))
            }
        }
    }

    /// Decides about each action `reserveUnfinished` held back: follows again
    /// one whose orchestrator outlived the restart (a systemd unit), and
    /// records the others as failed, killing what is left of them. Stops
    /// early, leaving the rest for the next start, if its task is cancelled.
    public func recoverInterrupted() async {
        let held = state.withLock { Set($0.recovering.keys) }
        for record in registry.unfinishedActions() where held.contains(record.id) {
            guard let reattachment = await reattach(record.id), !Task.isCancelled else { return }
            if case .running(let process) = reattachment {
                // The pid may come from a D-Bus call: asked on the bus pool.
                let pid = (try? await busPool.runIfActive { process.pid }) ?? record.pid ?? 0
                resume(record, process, pid: pid)
            } else {
                await recordInterrupted(record)
            }
        }
        // A deployment left `running` without an unfinished action (a crash between
        // two writes). Decided under the registry's writer: by now actions run
        // again, and one that started or ended meanwhile is not touched.
        _ = try? await blockingPool.runIfActive { [self] in
            for deployment in registry.list() where deployment.state == .running {
                let last = deployment.lastActionUUID.flatMap { try? registry.action($0) }
                try? registry.update(deployment.name) { current in
                    guard current.state == .running, !isBusy(current.name) else { throw LeftAlone() }
                    current.state = .failed(last?.command ?? .down)
                    logger.warning("deployment was left running with no action; marked failed", metadata: ["deployment": "\(current.name)"])
                }
            }
        }
    }

    /// What the launcher says of action `id`, asked on the bus pool and again
    /// each second while it cannot tell, for ten seconds; nil if cancelled.
    private func reattach(_ id: String) async -> Reattachment? {
        for attempt in 1...10 {
            let answer = (try? await busPool.runIfActive { [launcher] in launcher.reattach(actionID: id) }) ?? .unknown
            if case .unknown = answer, attempt < 10 {
                do { try await Task.sleep(for: .seconds(1)) } catch { return nil }
                continue
            }
            return answer
        }
        return .unknown
    }

    /// Records `record` as failed: its process is gone (or, if it somehow
    /// survived, is killed: nothing can follow it now).
    private func recordInterrupted(_ record: ActionRecord) async {
        let finished: ActionRecord? = try? await blockingPool.runIfActive { [self] () -> ActionRecord? in
            var record = record
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
                return record
            } catch {
                logger.error("cannot record interrupted action \(record.id): \(error)")
                return nil
            }
        }
        let log = state.withLock { state in
            defer { state.release(record.deployment) }
            return state.recovering.removeValue(forKey: record.id)?.log
        }
        // Followers learn the outcome once it is durable; if it could not be
        // written, from the record as it stands (the next start tries again).
        log?.finish((finished ?? nil) ?? record)
    }

    /// Follows again an action whose orchestrator outlived a restart of the daemon.
    func resume(_ record: ActionRecord, _ process: any LaunchedProcess, pid: Int32) {
        let writerFD = open(record.logPath, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        let log = state.withLock { $0.recovering[record.id]?.log } ?? ActionLog(path: record.logPath, recordsTimes: true)
        let live = LiveAction(
            record: record, log: log, previousState: record.previousState ?? .down, writerFD: writerFD)
        _ = live.started(process, pid: pid, startTime: record.pidStartTime)
        let watch = try? watcher.watch(log)
        state.withLock { state in
            state.busy.insert(record.deployment)
            state.live[record.id] = live
            state.recovering.removeValue(forKey: record.id)
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

/// Thrown inside a registry update to leave the deployment as it is.
private struct LeftAlone: Error {}
