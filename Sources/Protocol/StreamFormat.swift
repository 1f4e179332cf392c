/// How a connection's `rpc.stream` notifications carry text, agreed in
/// `rpc.hello`: a client asks for the formats it reads, in order of
/// preference, and the daemon answers with the one it chose. A connection
/// that never asks gets `lines`, the format of the first protocol.
public enum StreamFormat: String, Codable, Sendable, CaseIterable {
    /// `"lines": [...]`: one JSON string per line, without its `\n`.
    case lines
    /// `"data": "..."`: one JSON string holding many lines with their `\n`,
    /// written by the daemon straight from the log's bytes.
    case data

    /// The first of `preferences` this side knows, or `lines` when none is known.
    public static func choose(from preferences: [String]) -> StreamFormat {
        preferences.lazy.compactMap(StreamFormat.init(rawValue:)).first ?? .lines
    }
}
