import ArgumentParser

/// "Did you mean …": finds a mistyped command name on a command line and
/// the command names (and aliases) closest to it.
enum CommandSuggestion {
    /// A sentence for the first word of `arguments` that names no command
    /// where a command is expected, or nil when every command word is known.
    static func problem(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root.configuration.commandName ?? "testbedctl"]
        var words = arguments.makeIterator()
        while let word = words.next() {
            if word == "--" { return nil }
            if word.hasPrefix("-") {
                // A global option's value is not a command word.
                if word == "--socket" { _ = words.next() }
                continue
            }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: { names(of: $0).contains(word) }) {
                command = next
                path.append(word)
                continue
            }
            let known = subcommands.flatMap(names(of:))
            let close = known.map { ($0, distance($0, word)) }.filter { $0.1 <= max(1, word.count / 3) || $0.0.hasPrefix(word) }
                .sorted { $0.1 < $1.1 }.map(\.0)
            let hint = close.isEmpty ? "." : "; did you mean \(close.prefix(3).map { "'\($0)'" }.joined(separator: " or "))?"
            return "'\(path.joined(separator: " "))' has no command '\(word)'\(hint) See '\(path.joined(separator: " ")) --help'."
        }
        return nil
    }

    private static func names(of command: any ParsableCommand.Type) -> [String] {
        let configuration = command.configuration
        return [configuration.commandName ?? ""] + configuration.aliases
    }

    /// The Damerau–Levenshtein (optimal string alignment) distance: a swap of two neighbours costs one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
