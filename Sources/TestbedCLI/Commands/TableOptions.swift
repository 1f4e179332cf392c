import ArgumentParser

/// What commands that print a table take for scripts.
struct TableOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only the names or ids, one per line.")
    var quiet = false

    @Flag(help: "Leave out the table's header line.")
    var noHeaders = false

    @Flag(help: "Print ids whole instead of their first 8 characters.")
    var noTrunc = false

    /// `id` as the table shows it: its first 8 characters unless --no-trunc.
    func id(_ id: String) -> String { noTrunc ? id : String(id.prefix(8)) }

    /// `headers`, or none when asked to leave them out.
    func headers(_ headers: [String]) -> [String]? { noHeaders ? nil : headers }
}
