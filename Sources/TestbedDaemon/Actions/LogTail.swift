import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where to start sending a log: before its last lines (found by reading it
/// backwards), or at the first line written since a time.
enum LogTail {
    /// The start of the first line of `log` whose first byte testbedd saw
    /// written at `since` or later (`LogTimes`). A log with no times noted
    /// (written before times were kept) is sent whole, unless its action
    /// ended before `since`.
    static func offset(since: Date, in log: ActionLog) -> UInt64 {
        var reader = LogTimes.Reader(logPath: log.path)
        let milliseconds = LogTimes.milliseconds(since)
        if let offset = reader.offset(seenAtOrAfter: milliseconds) { return lineStart(atOrAfter: offset, in: log.path) }
        // Everything noted was seen before: start after it (with whatever has come since).
        if let noted = reader.notedSize { return lineStart(atOrAfter: noted, in: log.path) }
        if let finishedAt = log.finishedRecord?.finishedAt, finishedAt < since { return fileSize(log.path) }
        return 0
    }

    /// `offset` if a line starts there, else the start of the next line (or the end of the file).
    static func lineStart(atOrAfter offset: UInt64, in path: String) -> UInt64 {
        guard offset > 0 else { return 0 }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return offset }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var position = offset - 1  // the byte before: a newline there means a line starts at offset
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
            guard n > 0 else { return position }
            if let newline = buffer[..<n].firstIndex(of: UInt8(ascii: "\n")) { return position + UInt64(newline) + 1 }
            position += UInt64(n)
        }
    }

    static func fileSize(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }

    /// The offset of the first of the last `lines` lines of the file at
    /// `path` (a last line without a newline counts); 0 when it has no more
    /// lines than that, or cannot be read. Reads back in 64 KiB blocks only
    /// as far as those lines reach.
    static func offset(ofLast lines: Int, linesIn path: String) -> UInt64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return 0 }
        guard lines > 0 else { return UInt64(info.st_size) }
        let block = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: block)
        var end = Int64(info.st_size)
        var newlines = 0
        while end > 0 {
            let start = max(0, end - Int64(block))
            let count = Int(end - start)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(start)) }
            guard n == count else { return 0 }
            for index in stride(from: count - 1, through: 0, by: -1) where buffer[index] == UInt8(ascii: "\n") {
                // A newline as the file's last byte ends the last line; it starts none.
                if start + Int64(index) == Int64(info.st_size) - 1 { continue }
                newlines += 1
                if newlines == lines { return UInt64(start + Int64(index) + 1) }
            }
            end = start
        }
        return 0
    }
}
