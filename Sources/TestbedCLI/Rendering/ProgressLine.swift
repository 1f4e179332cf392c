import FoundationEssentials
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// On a terminal, a line on stderr under the log showing how long the action
/// has run; elsewhere nothing. Log lines are written above it.
final class ProgressLine: Sendable {
    private let label: String
    private let started: ContinuousClock.Instant
    private let enabled = isatty(STDERR_FILENO) == 1
    private let state = Locked<(shown: Bool, note: String?, timer: Task<Void, Never>?)>((false, nil, nil))

    init(label: String, started: ContinuousClock.Instant) {
        self.label = label
        self.started = started
        guard enabled else { return }
        let timer = Task { [weak self] in
            while !Task.isCancelled {
                self?.redraw()
                try? await Task.sleep(for: .seconds(1))
            }
        }
        state.withLock { $0.timer = timer }
    }

    func note(_ text: String) {
        guard enabled else {
            StandardStream.error.write(text + "\n")
            return
        }
        state.withLock { $0.note = text }
        redraw()
    }

    /// Erases the line so a log line can take its place.
    func clear() {
        guard enabled else { return }
        state.withLock { state in
            if state.shown { StandardStream.error.write("\r\u{1B}[K") }
            state.shown = false
        }
    }

    func redraw() {
        guard enabled else { return }
        state.withLock { state in
            let elapsed = ActionRun.format(ContinuousClock.now - started)
            let text = "\r\u{1B}[K[\(elapsed)] \(label)" + (state.note.map { " - \($0)" } ?? "")
            StandardStream.error.write(text)
            state.shown = true
        }
    }

    func stop() {
        let timer = state.withLock { $0.timer }
        timer?.cancel()
        clear()
    }
}
