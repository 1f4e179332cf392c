import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
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

    /// Prints `value` as one line of compact JSON (for streams of objects).
    public func line<T: Encodable>(_ value: T) {
        StandardStream.output.write(Self.jsonLine(value))
    }

    /// `value` as one line of compact JSON, with its newline: the one way the
    /// CLI writes JSON lines (events, log lines, top's snapshots, errors).
    public static func jsonLine<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? JSONCoding.shared.encode(value)) ?? Data("null".utf8), as: UTF8.self) + "\n"
    }

    /// Prints `error` on stderr, as one line or (with `--json`) one JSON
    /// object, and exits with its status.
    public func report(_ error: CLIError) -> Never {
        if json {
            StandardStream.error.write(
                Self.jsonLine(ErrorJSON(code: error.kind, message: error.message, exitCode: error.status, rpcCode: error.code?.rawValue)))
        } else {
            StandardStream.error.write("testbedctl: \(error.message)\n")
        }
        exit(error.status)
    }

    /// A deployment's state for a table: `up`, `down`, `running`, `failed (up)`.
    public static func describe(_ state: DeploymentState) -> String {
        if case .failed(let command) = state { return "failed (\(command.word))" }
        return state.summary
    }

    /// A time as people read it in a table: `2026-11-25 13:19:23Z` (UTC, whole seconds).
    public static func describe(_ date: Date) -> String {
        guard let seconds = Int64(exactly: date.timeIntervalSince1970.rounded(.down)), abs(seconds) < Int64.max / 1000,
            let text = UTCTimeText.bytes(milliseconds: seconds * 1000, separator: " ", fraction: false)
        else { return "\(date)" }
        return String(decoding: text, as: UTF8.self)
    }
}
