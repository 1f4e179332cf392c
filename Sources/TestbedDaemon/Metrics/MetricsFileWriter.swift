import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// Writes the metrics to a file every `interval`, atomically (a new file
/// renamed over the old), for node_exporter's textfile collector. The write
/// happens on the disk pool; a failure is logged once until writes work again.
struct MetricsFileWriter: Service {
    let path: String
    let interval: Duration
    let pool: NIOThreadPool
    let render: @Sendable () -> String
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while true {
                do {
                    try await pool.runIfActive { try AtomicFile.write(Data(render().utf8), to: path, mode: 0o644) }
                    if failing { logger.notice("metrics: writing \(path) works again") }
                    failing = false
                } catch {
                    if !failing { logger.error("metrics: cannot write \(path): \(error)") }
                    failing = true
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
