import FoundationEssentials
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Writes down when a live action's log grows (`LogTimes`): told by the
/// `ActionLog` each time inotify says the file was written, it notes the
/// file's size and the time. Within 10 ms of the last note it moves that
/// note's size instead of adding one, so a log written flat out costs at most
/// 100 notes (1.6 KB) a second, and every time is right to 10 ms.
public final class LogTimeRecorder: Sendable {
    static let resolutionMilliseconds: Int64 = 10

    private struct State {
        var timesFD: Int32 = -1
        var lastSize: UInt64 = 0
        var lastMilliseconds: Int64?
        var records = 0
    }

    private let state: Locked<State>
    private let logPath: String
    private let now: @Sendable () -> Date

    /// Notes the growth of the log at `logPath`, after what earlier notes
    /// (of a daemon that ran before this one) already say.
    init(logPath: String, now: @escaping @Sendable () -> Date = { Date() }) {
        var state = State()
        state.timesFD = open(LogTimes.path(for: logPath), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        if state.timesFD >= 0 {
            let earlier = LogTimes.Reader(logPath: logPath)
            state.lastSize = earlier.notedSize ?? 0
            state.records = earlier.count
        }
        self.state = Locked(state)
        self.logPath = logPath
        self.now = now
    }

    deinit { close() }

    /// Notes the log's size now, if it grew.
    func observe() {
        state.withLock { state in
            var info = stat()
            // The path, not a descriptor of its own: one descriptor per live action (the times') is enough.
            guard state.timesFD >= 0, lstat(logPath, &info) == 0 else { return }
            let size = UInt64(info.st_size)
            guard size > state.lastSize else { return }
            let milliseconds = LogTimes.milliseconds(now())
            var record = [UInt8](repeating: 0, count: LogTimes.recordBytes)
            record.withUnsafeMutableBytes {
                $0.storeBytes(of: size.littleEndian, toByteOffset: 0, as: UInt64.self)
                $0.storeBytes(of: (state.lastMilliseconds ?? milliseconds).littleEndian, toByteOffset: 8, as: Int64.self)
            }
            if let last = state.lastMilliseconds, milliseconds - last < Self.resolutionMilliseconds, state.records > 0 {
                // Within the resolution of the last note: it covers these bytes too.
                _ = record.withUnsafeBytes { pwrite(state.timesFD, $0.baseAddress, 8, off_t((state.records - 1) * LogTimes.recordBytes)) }
            } else {
                record.withUnsafeMutableBytes { $0.storeBytes(of: milliseconds.littleEndian, toByteOffset: 8, as: Int64.self) }
                // pwrite at the end, not O_APPEND: Linux's pwrite ignores the offset on an O_APPEND file.
                let at = off_t(state.records * LogTimes.recordBytes)
                guard record.withUnsafeBytes({ pwrite(state.timesFD, $0.baseAddress, $0.count, at) }) == LogTimes.recordBytes else { return }
                state.records += 1
                state.lastMilliseconds = milliseconds
            }
            state.lastSize = size
        }
    }

    /// Stops noting: the action has ended.
    func close() {
        state.withLock { state in
            if state.timesFD >= 0 { Glibc.close(state.timesFD) }
            state.timesFD = -1
        }
    }
}
