/// Aligned text columns for people: a header row (unless left out), then
/// one row per item.
public struct Table {
    public var headers: [String]?
    public var rows: [[String]] = []

    public init(headers: [String]?) { self.headers = headers }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table, columns separated by two spaces, the last column unpadded.
    public func render() -> String {
        var widths = Self.widths(of: rows, atLeast: headers?.map(TerminalText.width) ?? [])
        return Self.render((headers.map { [$0] } ?? []) + rows, widths: &widths)
    }

    /// Each column's width: the widest of `rows` and `minimum`, in columns on
    /// the terminal (a coloured cell's escape sequences take none).
    static func widths(of rows: [[String]], atLeast minimum: [Int]) -> [Int] {
        var widths = minimum
        for row in rows {
            for (i, cell) in row.enumerated() {
                let width = TerminalText.width(cell)
                if i < widths.count { widths[i] = max(widths[i], width) } else { widths.append(width) }
            }
        }
        return widths
    }

    /// `rows` as lines, each cell but the last padded to its column's width
    /// (which grows for a cell wider than it).
    static func render(_ rows: [[String]], widths: inout [Int]) -> String {
        var text = ""
        text.reserveCapacity(rows.count * 80)
        for row in rows {
            for (i, cell) in row.enumerated() {
                text += cell
                guard i < row.count - 1 else { break }
                let width = TerminalText.width(cell)
                if i < widths.count, width < widths[i] {
                    text += String(repeating: " ", count: widths[i] - width)
                } else if i < widths.count {
                    widths[i] = width
                }
                text += "  "
            }
            text += "\n"
        }
        return text
    }
}

/// A table written page by page as the pages arrive: the columns take their
/// widths from the header and the first page, and grow only for a wider cell.
public struct StreamingTable {
    private let headers: [String]?
    private var widths: [Int]?

    public init(headers: [String]?) { self.headers = headers }

    /// The lines of `rows`, the header (unless left out) before the first page's.
    public mutating func render(_ rows: [[String]]) -> String {
        guard var widths else {
            var first = Table.widths(of: rows, atLeast: headers?.map(TerminalText.width) ?? [])
            let text = Table.render((headers.map { [$0] } ?? []) + rows, widths: &first)
            self.widths = first
            return text
        }
        let text = Table.render(rows, widths: &widths)
        self.widths = widths
        return text
    }
}
