import FoundationEssentials
import TestbedProtocol

/// Writes results for people (text) or programs (`--json`).
public struct Output: Sendable {
    public let json: Bool

    public init(json: Bool) { self.json = json }

    /// Prints `value` as indented JSON when `--json` was given, else `text()`.
    public func emit<T: Encodable>(_ value: T, text: () -> String) {
        if json {
            let data = (try? JSONCoding.prettyEncoder().encode(value)) ?? Data("null".utf8)
            StandardStream.output.write(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            StandardStream.output.write(text())
        }
    }

    /// A deployment's state for a table: `up`, `down`, `running`, `failed (up)`.
    public static func describe(_ state: DeploymentState) -> String {
        if case .failed(let command) = state { return "failed (\(command.word))" }
        return state.summary
    }

    /// A time as people read it in a table: `2026-11-25 13:19:23Z`.
    public static func describe(_ date: Date) -> String {
        tableTime.format(date)
    }

    static let tableTime = Date.ISO8601FormatStyle(dateTimeSeparator: .space, timeZone: .gmt)
}
