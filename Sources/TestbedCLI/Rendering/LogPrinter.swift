import TestbedProtocol

/// Writes a stream's chunks to a standard stream as they come, in either
/// format: `data` as its bytes, with no decoding to `String` on the way;
/// `lines` each followed by a newline.
struct LogPrinter {
    let stream: StandardStream
    /// False after text that did not end its line (a piece of a long line, or
    /// a last line without newline): nothing else may be written on it yet.
    private(set) var atLineStart = true

    init(_ stream: StandardStream) { self.stream = stream }

    mutating func print(_ chunk: StreamChunk) {
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
        if !atLineStart { stream.write("\n") }
        atLineStart = true
    }
}
