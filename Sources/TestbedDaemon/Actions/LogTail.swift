import CTestbedShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where to start sending a log: before its last lines (found by reading it
/// backwards), or at the first line written since a time. Each search reads
/// at most `maxScanBytes` of the log, with memchr, and gives up as soon as
/// `stopped` says its client has gone: a client cannot make the daemon read
/// more than that for it, and a search nobody waits for costs nothing.
enum LogTail {
    /// The most bytes one search reads: `tail` reaches back at most this far.
    static let maxScanBytes: Int64 = 8 * 1024 * 1024
    static let block = 64 * 1024

    /// The start of the first line of `log` whose first byte testbedd saw
    /// written at `since` or later (`LogTimes`). A log with no times noted
    /// (written before times were kept) is sent whole, unless its action
    /// ended before `since`.
    static func offset(since: Date, in log: ActionLog, stopped: () -> Bool = { false }) -> UInt64 {
        let reader = LogTimes.Reader(logPath: log.path)
        let milliseconds = LogTimes.milliseconds(since)
        if let offset = reader.offset(seenAtOrAfter: milliseconds) { return lineStart(atOrAfter: offset, in: log.path, stopped: stopped) }
        // Everything noted was seen before: start after it (with whatever has come since).
        if let noted = reader.notedSize { return lineStart(atOrAfter: noted, in: log.path, stopped: stopped) }
        if let finishedAt = log.finishedRecord?.finishedAt, finishedAt < since { return fileSize(log.path) }
        return 0
    }

    /// `offset` if a line starts there, else the start of the next line (or
    /// the end of the file). When no line starts within `maxScanBytes`, the
    /// middle of that line: `offset` itself.
    static func lineStart(atOrAfter offset: UInt64, in path: String, stopped: () -> Bool = { false }) -> UInt64 {
        guard offset > 0 else { return 0 }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return offset }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: block, alignment: 1)
        defer { buffer.deallocate() }
        var position = offset - 1  // the byte before: a newline there means a line starts at offset
        while position - (offset - 1) < UInt64(maxScanBytes), !stopped() {
            let n = pread(fd, buffer.baseAddress, block, off_t(position))
            guard n > 0 else { return position }
            if let newline = memchr(buffer.baseAddress!, Int32(UInt8(ascii: "\n")), n) {
                return position + UInt64(UnsafeRawPointer(buffer.baseAddress!).distance(to: UnsafeRawPointer(newline))) + 1
            }
            position += UInt64(n)
        }
        return offset
    }

    static func fileSize(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }

    /// The offset of the first of the last `lines` lines of the file at
    /// `path` (a last line without a newline counts); 0 when it has no more
    /// lines than that, or cannot be read. Reads back in 64 KiB blocks only
    /// as far as those lines reach, and at most `maxScanBytes`: then it
    /// starts at the first line that begins within them (or, for a last line
    /// longer than that, `maxScanBytes` before the end).
    static func offset(ofLast lines: Int, linesIn path: String, stopped: () -> Bool = { false }) -> UInt64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return 0 }
        let size = Int64(info.st_size)
        guard lines > 0 else { return UInt64(size) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: block, alignment: 1)
        defer { buffer.deallocate() }
        let limit = max(0, size - maxScanBytes)
        var end = size
        var newlines = 0
        var earliest: Int64?  // the start of the earliest line found so far
        while end > limit {
            if stopped() { return UInt64(earliest ?? size) }
            let start = max(limit, end - Int64(block))
            let count = Int(end - start)
            guard pread(fd, buffer.baseAddress, count, off_t(start)) == count else { return 0 }
            var searched = count
            // A newline as the file's last byte ends the last line; it starts none.
            if end == size, buffer[count - 1] == UInt8(ascii: "\n") { searched -= 1 }
            while searched > 0, let newline = testbed_memrchr(buffer.baseAddress, Int32(UInt8(ascii: "\n")), searched) {
                let index = UnsafeRawPointer(buffer.baseAddress!).distance(to: newline)
                newlines += 1
                earliest = start + Int64(index) + 1
                if newlines == lines { return UInt64(earliest!) }
                searched = index
            }
            end = start
        }
        return limit == 0 ? 0 : UInt64(earliest ?? limit)
    }
}
