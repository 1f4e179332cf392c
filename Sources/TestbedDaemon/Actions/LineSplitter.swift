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
        var cut = pending.count
        // Step back over continuation bytes (10xxxxxx) to the start of a character, at most 3.
        var back = 0
        while back < 3, cut - back - 1 > 0, pending[cut - back - 1] & 0xC0 == 0x80 { back += 1 }
        if back > 0, cut - back - 1 >= 0 {
            let lead = pending[cut - back - 1]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if length > back + 1 { cut -= back + 1 }  // the character is incomplete: keep it for the next line
        }
        let line = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return line
    }
}
