import Foundation

/// The one JSON configuration used on the wire and in the stores, so bytes are
/// the same wherever a value is written: sorted keys, unescaped slashes,
/// ISO-8601 UTC dates.
public enum JSONCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Like `encoder()` but indented, for files people read and `--json` output.
    public static func prettyEncoder() -> JSONEncoder {
        let encoder = self.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
