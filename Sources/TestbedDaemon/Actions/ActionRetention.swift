import Foundation
import Logging
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Retention: removes finished actions that finished more than
/// `log_retention_days` ago or are beyond the newest `log_keep_actions` per
/// deployment, with their log files; never a running action nor a
/// deployment's last one.
struct ActionRetention {
    let registry: DeploymentRegistry
    let configuration: DaemonConfiguration
    let logger: Logger

    /// Sweeps every deployment once, sparing the actions in `running`. Blocks on disk I/O.
    func sweep(sparing running: Set<String>) {
        let cutoff = registry.clock.now().addingTimeInterval(-configuration.logRetentionDays * 86_400)
        for deployment in registry.list() {
            guard let actions = try? registry.actions(of: deployment.name) else { continue }
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
                for action in expired {
                    unlink(LogTimes.path(for: action.logPath))
                    unlink(action.logPath)
                }
                logger.info("removed \(expired.count) old action logs", metadata: ["deployment": "\(deployment.name)"])
            } catch {
                logger.error("cannot remove old action logs of \(deployment.name): \(error)")
            }
        }
    }
}
