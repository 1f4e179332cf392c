#if canImport(Glibc)
import Glibc
#endif

/// Where the last lines of a log begin, found by reading it backwards.
enum LogTail {
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
