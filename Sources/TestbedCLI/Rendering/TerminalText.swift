/// Text as a terminal shows it: how many columns it takes (escape sequences
/// take none, East Asian wide characters and emoji two, combining marks
/// none), cutting it to a width without splitting a character, and making
/// text from elsewhere (a log line) safe to show on one line.
public enum TerminalText {
    /// The columns `text` takes on a terminal, escape sequences (`ESC [ … m`
    /// and other CSI sequences) counting for nothing.
    public static func width(_ text: String) -> Int {
        // Most cells are printable ASCII: one column per byte.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        var total = 0
        var escape = EscapeScanner()
        for scalar in text.unicodeScalars where !escape.skips(scalar) {
            total += columns(scalar)
        }
        return total
    }

    /// At most `width` columns of `text` (which holds no escape sequences),
    /// never splitting a character; a wide character that would straddle the
    /// edge is left out.
    public static func fit(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if text.utf8.count <= width, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var used = 0
        var result = ""
        for character in text {
            let needed = columns(character)
            if used + needed > width { break }
            used += needed
            result.append(character)
        }
        return result
    }

    /// `text` on one line, safe to print: escape sequences removed, a tab
    /// becomes a space, and any other control character (a carriage return,
    /// a bell) is dropped.
    public static func printable<S: StringProtocol>(_ text: S) -> String {
        // Plain printable ASCII as it is; anything else (C1 controls such as
        // U+009B, which a terminal takes as an escape, are two UTF-8 bytes) scalar by scalar.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(text) }
        var result = String.UnicodeScalarView()
        var escape = EscapeScanner()
        for scalar in text.unicodeScalars where !escape.skips(scalar) {
            switch scalar.value {
            case 0x09: result.append(" ")
            case 0..<0x20, 0x7F, 0x80..<0xA0: continue
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// The columns one character takes: its first scalar decides.
    static func columns(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        return columns(first)
    }

    /// 0 for control characters, combining marks and zero-width characters;
    /// 2 for East Asian wide and full-width characters and emoji; else 1.
    static func columns(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if value < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if value == 0x200B { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// Follows escape sequences scalar by scalar: `ESC [` parameters and a
    /// final byte (CSI), `ESC ]` up to BEL or `ESC \` (OSC), or `ESC` and one
    /// more character.
    struct EscapeScanner {
        private enum Where { case text, escape, csi, osc, oscEscape }
        private var at = Where.text

        /// Whether `scalar` belongs to an escape sequence (and so shows nothing).
        mutating func skips(_ scalar: Unicode.Scalar) -> Bool {
            switch at {
            case .text:
                guard scalar == "\u{1B}" else { return false }
                at = .escape
            case .escape:
                at = scalar == "[" ? .csi : scalar == "]" ? .osc : .text
            case .csi:
                if (0x40...0x7E).contains(scalar.value) { at = .text }
            case .osc:
                if scalar == "\u{07}" { at = .text } else if scalar == "\u{1B}" { at = .oscEscape }
            case .oscEscape:
                at = .text
            }
            return true
        }
    }
}
