/// The log `testbedctl top` follows full-screen: its last lines, ready to
/// show (one line each, nothing a terminal would act on), and how the action
/// ended once it has.
struct LogView: Sendable {
    /// At most this many lines are kept: more than any screen shows.
    static let keptLines = 2000

    let action: TopAction
    private(set) var lines: [String] = []
    /// The start of a line whose end has not come yet.
    private var partial: [UInt8] = []
    /// How it ended (or why the log could not be read), once it has.
    private(set) var ending: String?

    init(action: TopAction) { self.action = action }

    /// Adds a chunk of the log's text.
    mutating func append(_ text: [UInt8]) {
        var start = text.startIndex
        while let newline = text[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial += text[start..<newline]
            keep(partial)
            partial.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        partial += text[start...]
        // A very long line is shown in pieces rather than held without end.
        if partial.count >= 64 * 1024 {
            keep(partial)
            partial.removeAll(keepingCapacity: true)
        }
    }

    /// Notes the end of the log, with what to say about it.
    mutating func finish(_ ending: String) {
        if !partial.isEmpty {
            keep(partial)
            partial.removeAll()
        }
        self.ending = ending
    }

    private mutating func keep(_ bytes: [UInt8]) {
        // At most a screen's worth of a line is ever shown.
        let shown = bytes.count > 4096 ? Array(bytes.prefix(4096)) : bytes
        lines.append(TerminalText.printable(String(decoding: shown, as: UTF8.self)))
        if lines.count > Self.keptLines + Self.keptLines / 4 { lines.removeFirst(lines.count - Self.keptLines) }
    }
}
