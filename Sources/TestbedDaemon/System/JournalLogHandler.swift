import CSystemd
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Logs natively to the systemd journal (`sd_journal_sendv`) with structured
/// fields: PRIORITY, MESSAGE, and the daemon's metadata as TESTBED_* fields
/// (`deployment` becomes TESTBED_DEPLOYMENT, `action_id` TESTBED_ACTION_ID,
/// `uid` TESTBED_CALLER_UID, `method` TESTBED_METHOD, any other key
/// TESTBED_<KEY>), so `journalctl TESTBED_DEPLOYMENT=web` finds a deployment's story.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) { self.label = label }

    /// True when stderr is connected to the journal (`JOURNAL_STREAM` names it).
    public static func stderrIsJournal() -> Bool {
        guard let stream = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = stream.split(separator: ":")
        var info = stat()
        guard parts.count == 2, fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(parts[0]) == UInt64(info.st_dev) && UInt64(parts[1]) == UInt64(info.st_ino)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=testbedd",
            "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)", "CODE_FUNC=\(event.function)",
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        Self.send(fields)
    }

    /// Sends `fields` (each `NAME=value`, values may hold newlines) as one journal entry.
    static func send(_ fields: [String]) {
        let buffers = fields.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        withExtendedLifetime(buffers) {
            for buffer in buffers {
                buffer.withUnsafeBytes { raw in
                    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
                }
            }
            _ = sd_journal_sendv(vectors, Int32(vectors.count))
        }
    }

    static func fieldName(_ key: String) -> String {
        switch key {
        case "deployment": return "TESTBED_DEPLOYMENT"
        case "action_id": return "TESTBED_ACTION_ID"
        case "uid": return "TESTBED_CALLER_UID"
        case "method": return "TESTBED_METHOD"
        default:
            let cleaned = key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
            return "TESTBED_" + String(cleaned)
        }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
