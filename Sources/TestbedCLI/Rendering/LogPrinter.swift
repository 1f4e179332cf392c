import FoundationEssentials
import TestbedProtocol

/// Writes a stream's chunks to a standard stream as they come, in either
/// format: `data` as its bytes, with no decoding to `String` on the way;
/// `lines` each followed by a newline. With `--json`, each line becomes one
/// JSON object on a line of its own (`{"action_id":…,"line":…}`).
struct LogPrinter {
    let stream: StandardStream
    /// With `--json`: the action the lines belong to.
    private let jsonActionID: String?
    /// With `--json`: each line starts with its time, which becomes a member of its own.
    private let timestamped: Bool
    /// With `--json`: the start of a line whose end has not come yet.
    private var pending: [UInt8] = []
    /// False after text that did not end its line (a piece of a long line, or
    /// a last line without newline): nothing else may be written on it yet.
    private(set) var atLineStart = true

    init(_ stream: StandardStream, jsonLinesOf actionID: String? = nil, timestamped: Bool = false) {
        self.stream = stream
        self.jsonActionID = actionID
        self.timestamped = timestamped
    }

    mutating func print(_ chunk: StreamChunk) {
        if jsonActionID != nil {
            if case .event = chunk.content { return }
            printJSON(chunk.text)
            return
        }
        switch chunk.content {
        case .data(let bytes):
            guard let last = bytes.last else { return }
            bytes.withUnsafeBytes { stream.write($0) }
            atLineStart = last == UInt8(ascii: "\n")
        case .lines:
            chunk.text.withUnsafeBytes { stream.write($0) }
            atLineStart = true
        case .event:
            break
        }
    }

    /// Ends a last line that had no newline of its own.
    mutating func finish() {
        if jsonActionID != nil, !pending.isEmpty {
            writeJSON(pending[...])
            pending = []
        }
        if !atLineStart { stream.write("\n") }
        atLineStart = true
    }

    /// The longest line one JSON object holds: a longer one comes as several
    /// objects, so that a log's longest line never has to fit in memory.
    static let maxJSONLineBytes = 1024 * 1024

    private mutating func printJSON(_ text: [UInt8]) {
        var start = text.startIndex
        while let newline = text[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if pending.isEmpty {
                writeJSON(text[start..<newline])
            } else {
                pending += text[start..<newline]
                writeJSON(pending[...])
                pending = []
            }
            start = newline + 1
        }
        pending += text[start...]
        while pending.count >= Self.maxJSONLineBytes {
            // Cut before a character, never inside one.
            let cut = pending.withUnsafeBytes { JSONStringBytes.characterBoundary(in: $0, atOrBefore: Self.maxJSONLineBytes) }
            let at = cut > 0 ? cut : Self.maxJSONLineBytes
            writeJSON(pending[..<at])
            pending.removeFirst(at)
        }
    }

    private func writeJSON(_ line: ArraySlice<UInt8>) {
        stream.write(Output.jsonLine(
            LogLineJSON(actionID: jsonActionID ?? "", text: String(decoding: line, as: UTF8.self), timestamped: timestamped)))
    }
}
