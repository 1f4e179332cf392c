/// Finds the last line with any text on it in the chunks of a log as they
/// come, for `testbedctl top`'s running actions; whatever the log's size,
/// it looks only at the end of each chunk.
enum LastLogLine {
    /// The last line of `text` that holds more than blanks, ready to show; nil
    /// when it has none. At most `limit` bytes of it are kept.
    static func of(_ text: [UInt8], limit: Int = 1024) -> String? {
        var end = text.endIndex
        while end > text.startIndex {
            // Skip the line ends and blanks at the end.
            while end > text.startIndex, Self.isBlank(text[end - 1]) { end -= 1 }
            guard end > text.startIndex else { return nil }
            var start = end
            while start > text.startIndex, text[start - 1] != UInt8(ascii: "\n") { start -= 1 }
            let line = TerminalText.printable(String(decoding: text[start..<min(end, start + limit)], as: UTF8.self))
            if line.contains(where: { !$0.isWhitespace }) { return line }
            end = start
        }
        return nil
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
