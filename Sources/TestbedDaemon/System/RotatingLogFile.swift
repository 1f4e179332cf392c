import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's own log file when it does not run under the journal:
/// `<state_dir>/logs/testbedd.log`, appended to across restarts, rotated by
/// size (`testbedd.log.1` is the newest old one, up to `keep` of them).
public final class RotatingLogFile: Sendable {
    public let path: String
    private let maxBytes: Int
    private let keep: Int
    private let state: Locked<(fd: Int32, size: Int)>

    public init(path: String, maxBytes: Int, keep: Int) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        try AtomicFile.makeFolder((path as NSString).deletingLastPathComponent, mode: 0o750)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw StoreError.posix("open the log file", path, errno: errno) }
        var info = stat()
        fstat(fd, &info)
        state = Locked((fd, Int(info.st_size)))
    }

    /// Appends one line, rotating first when it would pass the size limit.
    public func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        state.withLock { state in
            if state.size > 0, state.size + bytes.count > maxBytes { rotate(&state) }
            let written = bytes.withUnsafeBytes { Glibc.write(state.fd, $0.baseAddress, $0.count) }
            if written > 0 { state.size += written }
        }
    }

    private func rotate(_ state: inout (fd: Int32, size: Int)) {
        close(state.fd)
        unlink("\(path).\(keep)")
        if keep > 1 {
            for index in stride(from: keep - 1, through: 1, by: -1) { rename("\(path).\(index)", "\(path).\(index + 1)") }
        }
        rename(path, "\(path).1")
        state.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        state.size = 0
    }

    /// A swift-log handler writing here.
    public func handler(label: String) -> some LogHandler { Handler(file: self) }

    struct Handler: LogHandler {
        let file: RotatingLogFile
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            file.write("\(JSONCoding.formatTime(Date())) \(event.level) \(event.message)\(fields.isEmpty ? "" : " " + fields)")
        }
    }
}

import TestbedProtocol
