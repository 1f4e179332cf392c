import FoundationEssentials
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A line on stderr under the log showing how long the action has run, cut
/// to the terminal's width so that it never wraps. Log lines are written
/// above it (the caller clears it first, and redraws it only between lines).
/// It is drawn only when stdout and stderr are the same terminal and `TERM`
/// is not `dumb`; otherwise there is none, and notes are plain lines.
final class ProgressLine: Sendable {
    private let label: String
    private let started: ContinuousClock.Instant
    private let enabled: Bool
    private let state = Locked(State())

    private struct State {
        var shown = false
        /// Between `clear()` and the next `redraw()` the log owns the line:
        /// the timer draws nothing there.
        var paused = false
        var note: String?
        var timer: Task<Void, Never>?
    }

    init(label: String, started: ContinuousClock.Instant, enabled: Bool = ProgressLine.wanted()) {
        self.label = TerminalText.printable(label)
        self.started = started
        self.enabled = enabled
        guard enabled else { return }
        let timer = Task { [weak self] in
            while !Task.isCancelled {
                self?.draw(unlessPaused: true)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        state.withLock { $0.timer = timer }
    }

    /// Whether a progress line belongs on this terminal: stdout and stderr
    /// are the same one (so it sits under the log, not in a file or another
    /// window), and `TERM` is not `dumb` (which cannot erase a line).
    static func wanted(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["TERM"] != "dumb" && TerminalDevice.same(STDOUT_FILENO, STDERR_FILENO)
    }

    /// The line as drawn on a terminal `columns` wide: at most `columns - 1`
    /// columns, so that the cursor never reaches the last column (where some
    /// terminals wrap at once).
    static func text(elapsed: String, label: String, note: String?, columns: Int?) -> String {
        let line = "[\(elapsed)] \(label)" + (note.map { " - \($0)" } ?? "")
        guard let columns else { return line }
        return TerminalText.fit(line, to: max(columns - 1, 0))
    }

    func note(_ text: String) {
        guard enabled else {
            StandardStream.error.write(text + "\n")
            return
        }
        state.withLock { $0.note = TerminalText.printable(text) }
        draw(unlessPaused: true)
    }

    /// Erases the line so a log line can take its place, and keeps it away
    /// until `redraw()`.
    func clear() {
        guard enabled else { return }
        state.withLock { state in
            if state.shown { StandardStream.error.write("\r\u{1B}[K") }
            state.shown = false
            state.paused = true
        }
    }

    /// Draws the line again, at the start of a line of its own.
    func redraw() {
        draw(unlessPaused: false)
    }

    /// Draws the line, cut to the terminal's width as it is now (read at
    /// every draw, so a resized window is followed within a second).
    private func draw(unlessPaused: Bool) {
        guard enabled else { return }
        state.withLock { state in
            if unlessPaused, state.paused { return }
            state.paused = false
            let elapsed = ActionRun.format(ContinuousClock.now - started)
            let line = Self.text(
                elapsed: elapsed, label: label, note: state.note, columns: TerminalDevice.size(of: STDERR_FILENO)?.columns)
            StandardStream.error.write("\r\u{1B}[K" + line)
            state.shown = true
        }
    }

    func stop() {
        let timer = state.withLock { $0.timer }
        timer?.cancel()
        clear()
    }
}
