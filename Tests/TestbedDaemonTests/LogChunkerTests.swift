import Testing
@testable import TestbedDaemon

@Suite struct LogChunkerTests {
    static func sendable(_ text: [UInt8], ended: Bool = false) -> Int {
        text.withUnsafeBytes { LogChunker.sendableCount(in: $0, logEnded: ended) }
    }

    static func lines(_ text: [UInt8]) -> [String] {
        text.withUnsafeBytes { LogChunker.lines(in: $0) }
    }

    @Test func onlyWholeLinesAreSentUntilTheLogEnds() {
        #expect(Self.sendable(Array("a\nb".utf8)) == 2)
        #expect(Self.sendable(Array("abc".utf8)) == 0)
        #expect(Self.sendable(Array("a\nb".utf8), ended: true) == 3)
        #expect(Self.lines(Array("a\nbc\n\nd".utf8)) == ["a", "bc", "", "d"])
        #expect(Self.lines(Array("a\n".utf8)) == ["a"])
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        #expect(Self.lines([0x61, 0xFF, 0x62, 0x0A]) == ["a\u{FFFD}b"])
        #expect(Self.lines([0xC3, 0x0A]) == ["\u{FFFD}"])
    }

    @Test func aLongLineIsCutIntoPiecesOfAtMost64KiB() {
        let line = Array(repeating: UInt8(ascii: "x"), count: 150_000)
        #expect(Self.lines(line + [0x0A]).map(\.utf8.count) == [65_536, 65_536, 150_000 - 131_072])
        // Unfinished, its whole pieces may be sent; the rest waits for more.
        #expect(Self.sendable(line) == 131_072)
        // A line of exactly 64 KiB is one line, not a line and an empty one.
        #expect(Self.lines(Array(repeating: UInt8(ascii: "x"), count: 65_536) + [0x0A]).map(\.utf8.count) == [65_536])
    }

    @Test func aLineOfExactly64KiBWaitsForItsNewline() {
        #expect(Self.sendable(Array(repeating: UInt8(ascii: "x"), count: 65_536)) == 0)
        #expect(Self.sendable(Array(repeating: UInt8(ascii: "x"), count: 65_537)) == 65_536)
    }

    @Test func aCutAtTheEndOfWhatWasReadNeverSplitsACharacter() {
        // A long line of three-byte characters, read 70,000 bytes at a time.
        let line = Array(String(repeating: "€", count: 30_000).utf8)
        let read = Array(line.prefix(70_000))
        let cut = Self.sendable(read)
        #expect(cut == 65_535)
        #expect(!String(decoding: read[..<cut], as: UTF8.self).contains("\u{FFFD}"))
        // Read exactly to the limit, the character across it is left for next time.
        #expect(Self.sendable(Array(line.prefix(65_537))) == 65_535)
    }

    @Test func aCutNeverSplitsACharacter() {
        // 65,535 ASCII bytes then "é" (2 bytes): the cut must fall before the "é".
        let bytes = Array(repeating: UInt8(ascii: "x"), count: 65_535) + Array("é!".utf8)
        #expect(Self.sendable(bytes) == 65_535)
        let lines = Self.lines(bytes + [0x0A])
        #expect(lines.count == 2)
        #expect(lines[0].utf8.count == 65_535)
        #expect(lines[1] == "é!")
        #expect(!lines.joined().contains("\u{FFFD}"))
    }
}
