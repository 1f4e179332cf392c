import Dispatch
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The terminal `testbedctl top` takes over: raw mode on stdin (keys arrive
/// one by one, unechoed, Ctrl-C as a byte), the alternate screen and a
/// hidden cursor on stdout. `restore()` gives it back as it was, and runs
/// on every way out: a key, a signal (SIGINT, SIGTERM, SIGHUP, read by
/// dispatch sources, never in a handler), an error, or `exit()` (atexit).
final class Terminal: @unchecked Sendable {
    /// The settings to put back, for the atexit hook; nil once restored.
    private static let saved = Locked<termios?>(nil)
    private static let atExit: Void = { atexit { Terminal.restoreSaved() } }()

    /// Entering and leaving the alternate screen, showing and hiding the cursor.
    static let enterScreen = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J"
    static let leaveScreen = "\u{1B}[?25h\u{1B}[?1049l"

    private static let stopSignals = [SIGINT, SIGTERM, SIGHUP]
    private var sources: [any DispatchSourceProtocol] = []
    /// The lines on screen, to write only those that change.
    private var shown: [String] = []

    /// Takes over the terminal on stdin and stdout.
    init() throws(CLIError) {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            throw CLIError("cannot read the terminal's settings: \(String(cString: strerror(errno)))")
        }
        _ = Self.atExit
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        Self.saved.withLock { $0 = original }
        guard tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0 else {
            Self.saved.withLock { $0 = nil }
            throw CLIError("cannot put the terminal in raw mode: \(String(cString: strerror(errno)))")
        }
        StandardStream.output.write(Self.enterScreen)
    }

    deinit { restore() }

    /// Columns and rows (80×24 when the terminal does not say).
    var size: (columns: Int, rows: Int) { TerminalDevice.size(of: STDOUT_FILENO) ?? (80, 24) }

    /// Sends keys, resizes and stop signals to `handler`, from dispatch's threads.
    func listen(_ handler: @escaping @Sendable (TopInput) -> Void) {
        let parser = KeyParser()
        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .global())
        input.setEventHandler {
            var bytes = [UInt8](repeating: 0, count: 256)
            let count = bytes.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count == 0 {
                // The terminal has gone (its window closed): as SIGHUP.
                input.cancel()
                handler(.stop(signal: SIGHUP))
                return
            }
            guard count > 0 else { return }
            for key in parser.keys(in: Array(bytes[..<count])) { handler(.key(key)) }
        }
        input.resume()
        sources.append(input)
        for number in Self.stopSignals + [SIGWINCH] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number == SIGWINCH ? .resize : .stop(signal: number)) }
            source.resume()
            sources.append(source)
        }
    }

    /// Shows `lines` (each already cut to the width), rewriting only the rows that changed.
    func draw(_ lines: [String]) {
        var out = ""
        for (row, line) in lines.enumerated() where row >= shown.count || shown[row] != line {
            out += "\u{1B}[\(row + 1);1H\u{1B}[2K" + line
        }
        for row in lines.count..<max(shown.count, lines.count) { out += "\u{1B}[\(row + 1);1H\u{1B}[2K" }
        shown = lines
        if !out.isEmpty { StandardStream.output.write(out + "\u{1B}[0m") }
    }

    /// Forgets what is on screen and clears it: the next draw writes every row.
    func invalidate() {
        shown = []
        StandardStream.output.write("\u{1B}[0m\u{1B}[2J")
    }

    /// Leaves the alternate screen, shows the cursor, puts back the
    /// terminal's settings and the signals' default actions. Idempotent.
    func restore() {
        for source in sources { source.cancel() }
        sources = []
        Self.restoreSaved()
        for number in Self.stopSignals { signal(number, SIG_DFL) }
    }

    private static func restoreSaved() {
        guard var original = saved.withLock({ state -> termios? in
            defer { state = nil }
            return state
        }) else { return }
        StandardStream.output.write(leaveScreen)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &original)
    }
}
