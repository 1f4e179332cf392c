/// Values read from metrics in the Prometheus text format, as
/// `server.metrics` returns them.
enum MetricsText {
    /// The sum of every sample of `name` (all its label sets); nil when the
    /// text has none.
    static func sum(of name: String, in text: String) -> Double? {
        var total: Double?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard line.hasPrefix(name), !line.hasPrefix("#") else { continue }
            let rest = line.dropFirst(name.count)
            guard let first = rest.first, first == "{" || first == " " else { continue }
            // The value follows the labels (whose values may hold spaces) and ends the line, or comes before a timestamp.
            let afterLabels = first == "{" ? rest[(rest.lastIndex(of: "}").map(rest.index(after:)) ?? rest.endIndex)...] : rest
            guard let value = afterLabels.split(separator: " ").first.flatMap({ Double($0) }) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }
}
