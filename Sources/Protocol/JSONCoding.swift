import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The one JSON configuration used on the wire and in the stores, so bytes are
/// the same wherever a value is written: sorted keys, unescaped slashes,
/// ISO-8601 UTC dates.
public enum JSONCoding {
    /// One shared encoder and decoder: their configuration never changes after
    /// creation, and Foundation's JSON coders are safe to use from many threads.
    public static let shared = makeEncoder()
    public static let sharedDecoder = makeDecoder()

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatTime(date))
        }
        return encoder
    }

    /// Like `encoder()` but indented, for files people read and `--json` output.
    public static func prettyEncoder() -> JSONEncoder {
        let encoder = makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return encoder
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseTime(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an ISO-8601 UTC time")
            }
            return date
        }
        return decoder
    }

    /// ISO-8601 in UTC: `2026-11-25T13:50:02Z`, or `2026-11-25T13:50:02.140Z`
    /// when the time has milliseconds. (By hand: a date formatter per call
    /// would cost more than the rest of a request.)
    public static func formatTime(_ date: Date) -> String {
        // Whole milliseconds, rounded to the nearest: a parsed time is the nearest
        // double to its text, so formatting it again gives the same text.
        let totalMillis = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (totalMillis / 1000).rounded(.down)
        let millis = Int32(totalMillis - seconds * 1000)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
        text += "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
        if millis > 0 { text += "." + pad(millis, 3) }
        return text + "Z"
    }

    /// `date` cut to whole milliseconds, the precision `formatTime` keeps.
    public static func millisecondPrecision(_ date: Date) -> Date {
        parseTime(formatTime(date)) ?? date
    }

    /// Reads a time written by `formatTime` (with or without fractional seconds).
    public static func parseTime(_ text: String) -> Date? {
        (try? wholeSeconds.parse(text)) ?? (try? withMilliseconds.parse(text))
    }

    /// ISO-8601 in UTC, whole seconds: `2026-11-25T13:50:02Z`.
    public static let wholeSeconds = Date.ISO8601FormatStyle(timeZone: .gmt)
    /// ISO-8601 in UTC, always with milliseconds: `2026-11-25T13:50:02.140Z`.
    public static let withMilliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
