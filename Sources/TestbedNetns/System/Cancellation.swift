import CTestbedShims
import Glibc
import Synchronization

/// SIGTERM and SIGINT, as testbedd sends them to cancel an action: the first one
/// sets a flag that each step checks before it starts; `up` then rolls back.
/// (The same signal reaches the `ip` and setup-script children in our process
/// group, so a step under way fails at once too.)
public enum Cancellation {
    private static let flag = Atomic<Bool>(false)

    /// Catches SIGTERM and SIGINT from now on.
    public static func install() {
        _ = testbed_catch_signal(SIGTERM, { _ in Cancellation.flag.store(true, ordering: .relaxed) })
        _ = testbed_catch_signal(SIGINT, { _ in Cancellation.flag.store(true, ordering: .relaxed) })
    }

    /// True once a cancellation signal arrived.
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Throws `OrchestratorError.cancelled` if a cancellation signal arrived.
    public static func check() throws(OrchestratorError) {
        if isRequested { throw OrchestratorError.cancelled }
    }
}
