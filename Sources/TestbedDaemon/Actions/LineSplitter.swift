/// Cuts log bytes into lines for `rpc.stream`: at each `\n`, and every
/// `maxLineBytes` in a line longer than that (at a UTF-8 character boundary);
/// invalid UTF-8 becomes U+FFFD. The bytes of an unfinished last line wait for
/// more input, or for `flush` when the log has ended.
struct LineSplitter {
    static let maxLineBytes = 64 * 1024

    private var pending: [UInt8] = []

    /// Bytes taken but not yet returned in a line.
    var pendingCount: Int { pending.count }

    /// The complete lines `bytes` finishes.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= Self.maxLineBytes { lines.append(cutLongLine()) }
            }
        }
        return lines
    }

    /// The unfinished last line, if any, once nothing more will come.
    mutating func flush() -> String? {
        guard !pending.isEmpty else { return nil }
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Returns the longest prefix of a long line that ends at a character boundary.
    private mutating func cutLongLine() -> String {
        // Find where the last character starts: step back over at most three
        // continuation bytes (10xxxxxx).
        var start = pending.count - 1
        while start > 0, pending.count - 1 - start < 3, pending[start] & 0xC0 == 0x80 { start -= 1 }
        let lead = pending[start]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        // An incomplete last character waits for the next piece.
        let cut = start + length > pending.count && start > 0 ? start : pending.count
        let line = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return line
    }
}
