import ArgumentParser

/// What commands that print a table take for scripts.
struct TableOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only the names or ids, one per line.")
    var quiet = false

    @Flag(help: "Leave out the table's header line.")
    var noHeaders = false

    /// `headers`, or none when asked to leave them out.
    func headers(_ headers: [String]) -> [String]? { noHeaders ? nil : headers }
}
