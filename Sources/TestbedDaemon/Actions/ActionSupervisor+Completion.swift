import Foundation
import Logging
import NIOPosix
import Synchronization
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The completion path: an action's outcome made durable, then its followers told.
extension ActionSupervisor {
    // MARK: Completing

    enum Ending: Sendable {
        case terminated(ProcessTermination)
        case launchFailed(String)
    }

    func complete(_ live: LiveAction, _ ending: Ending, watch: Int32?) async {
        let cancellation = live.cancellation
        // A cancelled action leaves nothing behind: whatever of its process group
        // outlived the orchestrator (a child that ignored SIGTERM) goes now.
        if cancellation != nil, let process = live.process { signal(process, SIGKILL) }
        if let cancellation { _ = try? await blockingPool.runIfActive { self.appendLine(cancellation.line, to: live) } }
        var record = live.record
        record.finishedAt = JSONCoding.millisecondPrecision(await endTime(of: live))
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
        // Only now that the outcome is durable may the launcher forget the process
        // (a unit is removed: D-Bus calls, made on the bus pool).
        if let process = live.process {
            if process.signallingBlocks {
                _ = try? await busPool.runIfActive { process.release() }
            } else {
                process.release()
            }
        }
        if let watch { watcher.stop(watch) }
        close(live.writerFD)
        // Followers learn the outcome only now that it is durable.
        live.log.finish(finalRecord)
        state.withLock { state in
            state.live.removeValue(forKey: live.id)
            state.release(live.deployment)
            state.completions.removeValue(forKey: live.id)
        }
        logger.info("action finished", metadata: [
            "action_id": "\(live.id)", "deployment": "\(live.deployment)", "command": "\(command.word)",
            "outcome": "\(Self.describe(finalRecord))",
        ])
    }

    /// When `live` ended: now, for a process followed to its end; a unit that
    /// may have ended while testbedd was stopped says when itself.
    func endTime(of live: LiveAction) async -> Date {
        let now = registry.clock.now()
        guard let process = live.process, process.signallingBlocks else { return now }
        let reported = try? await busPool.runIfActive { process.exitTime() }
        guard let reported = reported ?? nil, reported >= live.record.executionTime, reported <= now else { return now }
        return reported
    }

    /// Writes the outcome (retrying while the disk refuses, so nothing stays `running`).
    func recordOutcome(_ record: ActionRecord, newState: DeploymentState?) async -> ActionRecord {
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
}
