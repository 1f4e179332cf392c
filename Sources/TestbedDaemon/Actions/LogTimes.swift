import FoundationEssentials
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// When the bytes of an action's log were written, as testbedd saw them: a
/// file beside the log (`<log>.times`) of observations, each 16 bytes, little
/// endian: the log's size, then the milliseconds since 1970 when testbedd saw
/// it that large (`LogTimeRecorder` writes them). A byte's time is that of the
/// first observation that covers it; a line's, that of its first byte. Sizes
/// and times only grow, so both can be searched.
enum LogTimes {
    static let recordBytes = 16

    /// The observations of the log at `logPath`.
    static func path(for logPath: String) -> String { logPath + ".times" }

    /// Reads the observations of one log, by binary search with a window of
    /// records kept between lookups (lines are looked up in order). Used by
    /// one thread at a time.
    final class Reader {
        private let fd: Int32
        /// The records, as of the last `refresh`.
        private(set) var count = 0
        private var window: [(size: UInt64, milliseconds: Int64)] = []
        private var windowStart = 0
        private var lastAnswer: Int?

        init(logPath: String) {
            fd = open(LogTimes.path(for: logPath), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        }

        deinit { if fd >= 0 { close(fd) } }

        /// Takes in the records written since the last refresh (the last one
        /// may have grown in place): call before looking up a chunk's lines.
        func refresh() {
            var info = stat()
            guard fd >= 0, fstat(fd, &info) == 0 else { return }
            count = Int(info.st_size) / LogTimes.recordBytes
            if windowStart + window.count >= count - 1 { window = [] }
        }

        /// The milliseconds at which the byte at `offset` was first seen; nil
        /// when no observation covers it (as of the last `refresh`).
        func time(of offset: UInt64) -> Int64? {
            // Lines are looked up in order: most lookups end at the last answer, or just after it.
            if let last = lastAnswer, last < count, let answer = record(last), answer.size > offset,
                last == 0 || (record(last - 1).map { $0.size <= offset } ?? false)
            {
                return answer.milliseconds
            }
            guard let index = firstIndex(where: { $0.size > offset }) else { return nil }
            lastAnswer = index
            return record(index)?.milliseconds
        }

        /// The size of the log before the first byte seen at `milliseconds` or
        /// later: every byte from there on was seen then or later.
        func offset(seenAtOrAfter milliseconds: Int64) -> UInt64? {
            refresh()
            guard let index = firstIndex(where: { $0.milliseconds >= milliseconds }) else { return nil }
            return index == 0 ? 0 : record(index - 1)?.size
        }

        /// The size the last observation noted; nil when there is none.
        var notedSize: UInt64? {
            refresh()
            return count > 0 ? record(count - 1)?.size : nil
        }

        /// The first record for which `isPast` holds (it holds for every one after).
        private func firstIndex(where isPast: ((size: UInt64, milliseconds: Int64)) -> Bool) -> Int? {
            if let first = window.first, let last = window.last, !isPast(first) || windowStart == 0, isPast(last),
                let inWindow = window.firstIndex(where: isPast) {
                return windowStart + inWindow
            }
            var (low, high) = (0, count)
            while low < high {
                let middle = (low + high) / 2
                guard let entry = record(middle) else { return nil }
                if isPast(entry) { high = middle } else { low = middle + 1 }
            }
            return low < count ? low : nil
        }

        /// Record `index`, reading the 256 records from it into the window when it is not there.
        private func record(_ index: Int) -> (size: UInt64, milliseconds: Int64)? {
            if index >= windowStart, index < windowStart + window.count { return window[index - windowStart] }
            let wanted = min(256, count - index)
            guard wanted > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: wanted * LogTimes.recordBytes)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(index * LogTimes.recordBytes)) }
            guard n >= LogTimes.recordBytes else { return nil }
            window = (0..<(n / LogTimes.recordBytes)).map { i in
                bytes.withUnsafeBytes {
                    (UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: i * 16, as: UInt64.self)),
                     Int64(littleEndian: $0.loadUnaligned(fromByteOffset: i * 16 + 8, as: Int64.self)))
                }
            }
            windowStart = index
            return window.first
        }
    }

    /// `2026-11-30T15:04:05.123Z ` for a time in milliseconds since 1970 (UTC).
    static func prefix(_ milliseconds: Int64) -> [UInt8] {
        (UTCTimeText.bytes(milliseconds: milliseconds, separator: "T", fraction: true) ?? Array("????-??-??T??:??:??.???Z".utf8)) + [UInt8(ascii: " ")]
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
