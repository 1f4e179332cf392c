import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// When log bytes were seen (LogTimeRecorder, LogTimes), and where sending a
/// log starts (LogTail): the last lines, or the lines written since a time.
@Suite struct LogTimesTests {
    /// A clock the test moves by hand.
    final class Clock: @unchecked Sendable {
        var milliseconds: Int64 = 1_764_500_000_000
        var now: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func eachLineGetsTheTimeItsFirstByteWasSeenToTenMilliseconds() throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/a.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let clock = Clock()
        let start = clock.milliseconds
        let recorder = LogTimeRecorder(logPath: log, now: { clock.now })
        try Self.append("one\n", to: log)          // bytes 0..<4, seen at +0
        recorder.observe()
        clock.milliseconds += 4
        try Self.append("two\n", to: log)          // 4..<8, seen at +4: within 10 ms, the first note covers it
        recorder.observe()
        clock.milliseconds += 496
        try Self.append("three\nfo", to: log)      // 8..<16, seen at +500
        recorder.observe()
        recorder.observe()                         // nothing new: no note
        clock.milliseconds += 1000
        try Self.append("ur\n", to: log)           // 16..<19, seen at +1500
        recorder.observe()
        recorder.close()
        let notes = try Data(contentsOf: URL(fileURLWithPath: LogTimes.path(for: log)))
        #expect(notes.count == 3 * LogTimes.recordBytes)

        let reader = LogTimes.Reader(logPath: log)
        reader.refresh()
        #expect(reader.time(of: 0) == start)
        #expect(reader.time(of: 7) == start)
        #expect(reader.time(of: 8) == start + 500)
        #expect(reader.time(of: 15) == start + 500)
        #expect(reader.time(of: 16) == start + 1500)
        #expect(reader.time(of: 19) == nil)
        #expect(reader.notedSize == 19)
        // Since a time: the size before the first byte seen then or later.
        #expect(reader.offset(seenAtOrAfter: start) == 0)
        #expect(reader.offset(seenAtOrAfter: start + 1) == 8)
        #expect(reader.offset(seenAtOrAfter: start + 501) == 16)
        #expect(reader.offset(seenAtOrAfter: start + 1501) == nil)
        // A line starts at 8; "fo|ur" is one line, which started before 16.
        #expect(LogTail.lineStart(atOrAfter: 8, in: log) == 8)
        #expect(LogTail.lineStart(atOrAfter: 16, in: log) == 19)
        let actionLog = ActionLog(path: log)
        #expect(LogTail.offset(since: clock.now.addingTimeInterval(-0.3), in: actionLog) == 19)
        #expect(LogTail.offset(since: Date(timeIntervalSince1970: Double(start + 300) / 1000), in: actionLog) == 8)

        // Stamped as sent: each line after its time, a line cut across chunks only once.
        let text = Array("one\ntwo\nthree\nfour\n".utf8)
        let stamped = text.withUnsafeBytes { LogFollower.stamp($0, at: 0, atLineStart: true, times: reader, fallback: 0) }
        let expected = [(start, "one"), (start, "two"), (start + 500, "three"), (start + 500, "four")]
            .map { String(decoding: LogTimes.prefix($0.0), as: UTF8.self) + $0.1 + "\n" }.joined()
        #expect(String(decoding: stamped, as: UTF8.self) == expected)
        let piece = text.withUnsafeBytes { LogFollower.stamp(UnsafeRawBufferPointer(rebasing: $0[16...]), at: 16, atLineStart: false, times: reader, fallback: 0) }
        #expect(piece == Array("ur\n".utf8))
    }

    @Test func aRecorderAfterARestartGoesOnFromTheNotesBeforeIt() throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/b.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let clock = Clock()
        let first = LogTimeRecorder(logPath: log, now: { clock.now })
        try Self.append("before\n", to: log)
        first.observe()
        first.close()
        clock.milliseconds += 60_000
        try Self.append("while stopped\n", to: log)
        let second = LogTimeRecorder(logPath: log, now: { clock.now })
        second.observe()
        second.close()
        let reader = LogTimes.Reader(logPath: log)
        reader.refresh()
        #expect(reader.time(of: 0) == clock.milliseconds - 60_000)
        #expect(reader.time(of: 7) == clock.milliseconds)
    }

    @Test func prefixesAreISO8601WithMillisecondsInUTC() {
        #expect(LogTimes.prefix(1_764_506_123_045) == Array("2025-11-30T12:35:23.045Z ".utf8))
        #expect(LogTimes.prefix(0) == Array("1970-01-01T00:00:00.000Z ".utf8))
    }

    @Test func theLastLinesStartWhereTheyShould() throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/c.log"
        try Data("a\nbb\nccc\n".utf8).write(to: URL(fileURLWithPath: log))
        #expect(LogTail.offset(ofLast: 1, linesIn: log) == 5)
        #expect(LogTail.offset(ofLast: 2, linesIn: log) == 2)
        #expect(LogTail.offset(ofLast: 3, linesIn: log) == 0)
        #expect(LogTail.offset(ofLast: 9, linesIn: log) == 0)
        #expect(LogTail.offset(ofLast: 0, linesIn: log) == 9)
        try Data("a\nbb\nccc".utf8).write(to: URL(fileURLWithPath: log))  // a last line without its newline counts
        #expect(LogTail.offset(ofLast: 1, linesIn: log) == 5)
        // Longer than a 64 KiB block of reading back.
        let long = String(repeating: "x", count: 200_000)
        try Data("first\n\(long)\nlast\n".utf8).write(to: URL(fileURLWithPath: log))
        #expect(LogTail.offset(ofLast: 2, linesIn: log) == 6)
    }

    @Test func aSearchReadsAtMostItsBoundAndStopsWhenItsClientHasGone() throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/d.log"
        let cap = Int(LogTail.maxScanBytes)
        // A last line longer than the bound: tail starts the bound before the end, in that line.
        let long = "a\n" + String(repeating: "x", count: cap + 1024) + "\n"
        try Data(long.utf8).write(to: URL(fileURLWithPath: log))
        let size = UInt64(long.utf8.count)
        #expect(LogTail.offset(ofLast: 1, linesIn: log) == size - UInt64(cap))
        // Short lines beyond the bound: the first line that begins within it, not the file's start.
        let lines = String(repeating: String(repeating: "y", count: 1023) + "\n", count: cap / 1024 + 100)
        try Data(lines.utf8).write(to: URL(fileURLWithPath: log))
        let first = LogTail.offset(ofLast: 1_000_000, linesIn: log)
        #expect(first > 0 && first % 1024 == 0 && UInt64(lines.utf8.count) - first <= UInt64(cap))
        // A line start searched forward within the bound only.
        try Data(long.utf8).write(to: URL(fileURLWithPath: log))
        #expect(LogTail.lineStart(atOrAfter: 3, in: log) == 3)
        #expect(LogTail.lineStart(atOrAfter: 1, in: log) == 2)
        // A client gone: no reading at all.
        #expect(LogTail.offset(ofLast: 5, linesIn: log, stopped: { true }) == size)
    }
}
