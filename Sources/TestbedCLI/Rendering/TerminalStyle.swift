import FoundationEssentials
import TestbedProtocol

/// Whether testbedctl colours what it prints, and the colours of states and
/// results: on a terminal, unless `NO_COLOR` is set to anything but the empty
/// string (no-color.org), `TERM` is `dumb`, or the output is `--json`.
public struct TerminalStyle: Sendable, Hashable {
    /// A colour, as its SGR parameter.
    public enum Colour: String, Sendable, Hashable {
        case red = "31", green = "32", yellow = "33", cyan = "36"
    }

    public let colours: Bool

    public init(colours: Bool) { self.colours = colours }

    /// The style for stdout.
    public static func standardOutput(
        json: Bool, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TerminalStyle {
        TerminalStyle(colours: wantsColours(json: json, terminal: TerminalDevice.isTerminal(1), environment: environment))
    }

    /// The decision itself, from what it depends on.
    public static func wantsColours(json: Bool, terminal: Bool, environment: [String: String]) -> Bool {
        guard terminal, !json, environment["TERM"] != "dumb" else { return false }
        return environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// A state as `Output.describe` writes it, in its colour.
    public func state(_ state: DeploymentState) -> String {
        paint(Output.describe(state), Self.colour(of: state))
    }

    /// A word a table shows for a state or an outcome (`up`, `running`,
    /// `ok`, `failed (up)`, `cancelled`…), in its colour.
    public func word(_ text: String) -> String {
        paint(text, Self.colour(ofWord: text))
    }

    /// `text` in `colour` when colours are on.
    public func paint(_ text: String, _ colour: Colour?) -> String {
        guard colours, let colour, !text.isEmpty else { return text }
        return "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m"
    }

    public static func colour(of state: DeploymentState) -> Colour {
        switch state {
        case .up: .green
        case .down: .cyan
        case .running: .yellow
        case .failed: .red
        }
    }

    /// The colour of a state's or an outcome's word, by its first word; nil
    /// for a word that has none.
    public static func colour(ofWord text: String) -> Colour? {
        switch text.prefix(while: { $0 != " " }) {
        case "up", "ok", "succeeded": .green
        case "down": .cyan
        case "running", "cancelled", "cancelling": .yellow
        case "failed", "interrupted", "killed": .red
        default: nil
        }
    }
}
