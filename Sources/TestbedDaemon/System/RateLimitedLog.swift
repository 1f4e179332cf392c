import NIOCore
import TestbedProtocol

/// Decides which of a run of similar log lines (refused connections, refused
/// peers) are written: so many per window, the rest counted and their number
/// reported with the next line written. A client refused in a loop cannot
/// flood the journal, and no refusal goes unaccounted.
final class RateLimitedLog: Sendable {
    private struct State {
        var windowStart = NIODeadline.now()
        var loggedInWindow = 0
        var suppressed = 0
    }

    /// Lines written in full per window.
    let linesPerWindow: Int
    let window: TimeAmount
    private let state = Locked(State())

    init(linesPerWindow: Int, window: TimeAmount) {
        self.linesPerWindow = linesPerWindow
        self.window = window
    }

    /// Calls `write` with the number of lines suppressed since the last one
    /// written, unless this window's lines are spent (then counts this one).
    func record(_ write: (_ suppressed: Int) -> Void) {
        let suppressed: Int? = state.withLock { state in
            let now = NIODeadline.now()
            if now - state.windowStart > window {
                state.windowStart = now
                state.loggedInWindow = 0
            }
            guard state.loggedInWindow < linesPerWindow else {
                state.suppressed += 1
                return nil
            }
            state.loggedInWindow += 1
            defer { state.suppressed = 0 }
            return state.suppressed
        }
        if let suppressed { write(suppressed) }
    }
}
