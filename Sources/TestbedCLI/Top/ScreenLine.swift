/// One line of `testbedctl top`'s screen: pieces of text, each with its
/// look, cut to the screen's width before any escape sequence is added, so
/// that it never wraps.
struct ScreenLine: Sendable, Hashable {
    /// How a piece looks.
    enum Look: Sendable, Hashable {
        case plain, bold, dim
        case colour(TerminalStyle.Colour)
    }

    struct Piece: Sendable, Hashable {
        var text: String
        var look: Look
    }

    private(set) var pieces: [Piece] = []
    /// Shown in reverse video across the whole width: the selected row.
    var highlighted = false

    init(_ text: String = "", look: Look = .plain) {
        if !text.isEmpty { pieces = [Piece(text: text, look: look)] }
    }

    mutating func append(_ text: String, _ look: Look = .plain) {
        guard !text.isEmpty else { return }
        pieces.append(Piece(text: text, look: look))
    }

    /// The text without any look.
    var text: String { pieces.map(\.text).joined() }

    /// The columns it takes.
    var width: Int { pieces.reduce(0) { $0 + TerminalText.width($1.text) } }

    /// At most `width` columns of it.
    func fitted(to width: Int) -> ScreenLine {
        var fitted = ScreenLine()
        fitted.highlighted = highlighted
        var left = width
        for piece in pieces where left > 0 {
            let text = TerminalText.fit(piece.text, to: left)
            fitted.append(text, piece.look)
            left -= TerminalText.width(text)
        }
        return fitted
    }

    /// The line for the terminal, cut to `width`: its looks as SGR escapes
    /// (colours only when `colours`), and a highlighted line padded to the
    /// full width so that its bar spans it.
    func encoded(width: Int, colours: Bool) -> String {
        let line = fitted(to: width)
        var out = highlighted ? "\u{1B}[7m" : ""
        for piece in line.pieces {
            let sgr: String? =
                switch piece.look {
                case .plain: nil
                case .bold: "1"
                case .dim: "2"
                case .colour(let colour): colours ? colour.rawValue : nil
                }
            if let sgr {
                out += "\u{1B}[\(sgr)m" + piece.text + (highlighted ? "\u{1B}[0;7m" : "\u{1B}[0m")
            } else {
                out += piece.text
            }
        }
        if highlighted {
            out += String(repeating: " ", count: max(0, width - line.width)) + "\u{1B}[0m"
        }
        return out
    }
}
