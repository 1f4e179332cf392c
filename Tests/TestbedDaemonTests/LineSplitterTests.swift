import Testing
@testable import TestbedDaemon

@Suite struct LineSplitterTests {
    @Test func splitsAtNewlinesAndKeepsTheUnfinishedLine() {
        var splitter = LineSplitter()
        #expect(splitter.feed(Array("a\nb".utf8)) == ["a"])
        #expect(splitter.feed(Array("c\n\nd".utf8)) == ["bc", ""])
        #expect(splitter.pendingCount == 1)
        #expect(splitter.flush() == "d")
        #expect(splitter.flush() == nil)
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        var splitter = LineSplitter()
        #expect(splitter.feed([0x61, 0xFF, 0x62, 0x0A]) == ["a\u{FFFD}b"])
        #expect(splitter.feed([0xC3, 0x0A]) == ["\u{FFFD}"])
    }

    @Test func aLongLineIsCutIntoPiecesOfAtMost64KiB() {
        var splitter = LineSplitter()
        let lines = splitter.feed(Array(repeating: UInt8(ascii: "x"), count: 150_000) + [0x0A])
        #expect(lines.map(\.utf8.count) == [65_536, 65_536, 150_000 - 131_072])
    }

    @Test func aCutNeverSplitsACharacter() {
        var splitter = LineSplitter()
        // 65,535 ASCII bytes then "é" (2 bytes): the cut must fall before the "é".
        let bytes = Array(repeating: UInt8(ascii: "x"), count: 65_535) + Array("é!\n".utf8)
        let lines = splitter.feed(bytes)
        #expect(lines.count == 2)
        #expect(lines[0].utf8.count == 65_535)
        #expect(lines[1] == "é!")
        #expect(!lines.joined().contains("\u{FFFD}"))
    }
}
