import CTestbedShims
import ServiceLifecycle

/// Gives memory freed after a burst back to the system. glibc keeps freed
/// blocks in its per-thread arenas, so a burst of answers queued for clients
/// that did not read would leave the daemon's RSS high long after they left;
/// every `interval` this looks at how much the arenas hold free and, past
/// `threshold`, trims them (`malloc_trim`).
struct MemoryTrimmer: Service {
    let interval: Duration
    /// Free bytes in the arenas above which they are trimmed.
    let threshold: Int

    init(interval: Duration = .seconds(10), threshold: Int = 8 * 1_048_576) {
        self.interval = interval
        self.threshold = threshold
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                Self.trimIfWorthIt(threshold: threshold)
            }
        }
    }

    /// Trims the arenas when they hold more than `threshold` bytes free; true if it did.
    @discardableResult
    static func trimIfWorthIt(threshold: Int) -> Bool {
        guard testbed_malloc_free_bytes() > threshold else { return false }
        return testbed_malloc_trim() != 0
    }
}
