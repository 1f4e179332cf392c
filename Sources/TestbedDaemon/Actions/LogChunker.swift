import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Decides how much of what a follower read it may send, and cuts it into
/// lines for the `lines` format. A follower always reads from where its last
/// chunk ended, so an unfinished last line is simply read again next time:
/// nothing is carried from one read to the next.
///
/// The rules, the same for both formats: until the log has ended, only whole
/// lines are sent, except that a line longer than `maxLineBytes` is sent in
/// pieces of at most that many bytes, each cut at a character boundary. Once
/// the log has ended, everything is sent.
enum LogChunker {
    static let maxLineBytes = 64 * 1024

    /// How many of `bytes`, read from the end of the last chunk, may be sent now.
    static func sendableCount(in bytes: UnsafeRawBufferPointer, logEnded: Bool) -> Int {
        guard !logEnded else { return bytes.count }
        // After the last newline (searched from the end: it is usually near it).
        var cut = bytes.count
        while cut > 0, bytes[cut - 1] != 0x0A { cut -= 1 }
        // Only a line known to be longer than the limit is cut: one of exactly
        // that length may still end with its newline in the next read.
        while bytes.count - cut > maxLineBytes {
            cut += JSONStringBytes.characterBoundary(in: UnsafeRawBufferPointer(rebasing: bytes[cut...]), atOrBefore: maxLineBytes)
        }
        return cut
    }

    /// `bytes` (a sendable prefix) as lines: cut at each `\n`, which is
    /// dropped, and within a line every `maxLineBytes` at a character
    /// boundary. A last piece without `\n` is a line too. Invalid UTF-8 becomes U+FFFD.
    static func lines(in bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        var start = 0
        while start < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            let newline = memchr(rest.baseAddress!, 0x0A, rest.count).map { rest.baseAddress!.distance(to: UnsafeRawPointer($0)) }
            var line = UnsafeRawBufferPointer(rebasing: rest[..<(newline ?? rest.count)])
            while line.count > maxLineBytes {
                let cut = JSONStringBytes.characterBoundary(in: line, atOrBefore: maxLineBytes)
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[..<cut]), as: UTF8.self))
                line = UnsafeRawBufferPointer(rebasing: line[cut...])
            }
            if !line.isEmpty || newline != nil { lines.append(String(decoding: line, as: UTF8.self)) }
            start += (newline.map { $0 + 1 } ?? rest.count)
        }
        return lines
    }
}
