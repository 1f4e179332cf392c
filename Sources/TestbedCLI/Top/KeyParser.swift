/// Turns the bytes a terminal sends in raw mode into keys: printable ASCII,
/// Enter, Ctrl-C, Esc, and the arrow and paging keys in both their CSI
/// (`ESC [ A`) and application (`ESC O A`) forms. Anything else is skipped.
struct KeyParser {
    init() {}

    /// The keys in `bytes`, one read's worth. A lone ESC at the end is the Esc
    /// key: a terminal sends a key's whole sequence in one write.
    func keys(in bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            switch byte {
            case 0x03: keys.append(.interrupt)
            case 0x0D, 0x0A: keys.append(.enter)
            case 0x1B:
                guard i < bytes.count, bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "O") else {
                    keys.append(.escape)
                    continue
                }
                i += 1
                // Parameters, then one final byte (0x40...0x7E).
                var parameters: [UInt8] = []
                while i < bytes.count, !(0x40...0x7E).contains(bytes[i]) {
                    parameters.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { break }
                let final = bytes[i]
                i += 1
                if let key = Self.key(final: final, parameters: parameters) { keys.append(key) }
            case 0x20...0x7E: keys.append(.character(Character(Unicode.Scalar(byte))))
            default: continue
            }
        }
        return keys
    }

    private static func key(final: UInt8, parameters: [UInt8]) -> Key? {
        switch (final, String(decoding: parameters, as: UTF8.self)) {
        case (UInt8(ascii: "A"), _): .up
        case (UInt8(ascii: "B"), _): .down
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): .home
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): .end
        case (UInt8(ascii: "~"), "5"): .pageUp
        case (UInt8(ascii: "~"), "6"): .pageDown
        default: nil
        }
    }
}
