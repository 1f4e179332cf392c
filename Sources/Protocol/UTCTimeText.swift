#if canImport(Glibc)
import Glibc
#endif

/// A time in UTC written as text digit by digit from `gmtime_r`: a format
/// style per call costs more than the rest of a table row, or of a log line.
public enum UTCTimeText {
    /// `2026-11-30<separator>15:04:05[.123]Z`, for `milliseconds` since 1970:
    /// the milliseconds only with `fraction`. Nil outside the years 0 to 9999.
    public static func bytes(milliseconds: Int64, separator: Character, fraction: Bool) -> [UInt8]? {
        let (whole, millis) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(millis < 0 ? whole - 1 : whole)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil, (0...9999).contains(parts.tm_year + 1900) else { return nil }
        var text = [UInt8]()
        text.reserveCapacity(24)
        func digits(_ value: Int32, _ count: Int) {
            var divisor: Int32 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4); text.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2); text.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2); text.append(separator.asciiValue ?? UInt8(ascii: "T"))
        digits(parts.tm_hour, 2); text.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2); text.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        if fraction {
            text.append(UInt8(ascii: "."))
            digits(Int32((millis + 1000) % 1000), 3)
        }
        text.append(UInt8(ascii: "Z"))
        return text
    }
}
