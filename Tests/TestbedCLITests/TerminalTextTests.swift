import FoundationEssentials
import Testing
import TestbedProtocol
@testable import TestbedCLI

/// Terminal text: widths that skip escapes, cuts that never split a
/// character, the colour decision, and the progress line's cut.
@Suite struct TerminalTextTests {
    @Test func widthsCountColumnsNotBytes() {
        #expect(TerminalText.width("up") == 2)
        #expect(TerminalText.width("\u{1B}[32mup\u{1B}[0m") == 2)
        #expect(TerminalText.width("日本") == 4)
        #expect(TerminalText.width("e\u{301}") == 1)
        #expect(TerminalText.fit("日本語", to: 5) == "日本")
        #expect(TerminalText.fit("abcdef", to: 3) == "abc")
        #expect(TerminalText.printable("a\tb\u{7}c\u{1B}]0;title\u{7}d\r") == "a bcd")
        // C1 controls (U+009B is a one-character CSI) go too, with no other control beside them; other text stays.
        #expect(TerminalText.printable("hello \u{9B}31mred\u{9D}") == "hello 31mred")
        #expect(TerminalText.printable("caf\u{E9} \u{4E16}") == "caf\u{E9} \u{4E16}")
    }

    @Test func colouredCellsKeepTablesAligned() {
        let style = TerminalStyle(colours: true)
        var table = Table(headers: ["NAME", "STATE", "X"])
        table.append(["a", style.state(.up), "1"])
        table.append(["b", style.state(.failed(.down)), "2"])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines.map { TerminalText.width($0) } == [22, 22, 22])
        #expect(lines[1].contains("\u{1B}[32mup\u{1B}[0m"))
        #expect(TerminalStyle(colours: false).state(.up) == "up")
    }

    @Test func coloursOnlyOnATerminalWithoutNoColorOrJSON() {
        #expect(TerminalStyle.wantsColours(json: false, terminal: true, environment: ["TERM": "xterm"]))
        #expect(TerminalStyle.wantsColours(json: false, terminal: true, environment: ["NO_COLOR": ""]))
        #expect(!TerminalStyle.wantsColours(json: false, terminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!TerminalStyle.wantsColours(json: false, terminal: true, environment: ["TERM": "dumb"]))
        #expect(!TerminalStyle.wantsColours(json: true, terminal: true, environment: [:]))
        #expect(!TerminalStyle.wantsColours(json: false, terminal: false, environment: [:]))
    }

    @Test func theProgressLineIsCutBeforeTheLastColumn() {
        let label = "up " + String(repeating: "n", count: 100)
        #expect(ProgressLine.text(elapsed: "1.0s", label: label, note: nil, columns: 60).count == 59)
        #expect(ProgressLine.text(elapsed: "1.0s", label: "up web", note: nil, columns: 60) == "[1.0s] up web")
        #expect(ProgressLine.text(elapsed: "1.0s", label: label, note: nil, columns: nil).count == 110)
    }
}
