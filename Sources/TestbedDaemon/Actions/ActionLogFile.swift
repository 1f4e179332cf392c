import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// An action's log file: made once per action, appended to by the daemon's own lines.
enum ActionLogFile {
    /// Creates the log of an action started at `startedAt`, exclusively, without
    /// following links, mode 0640: `<folder>/<start>[-N]-<deployment>.log`.
    static func create(in logFolder: String, startedAt: Date, deployment: String) throws(DeploymentError) -> (String, Int32) {
        let stamp = JSONCoding.withMilliseconds.format(startedAt)
        for attempt in 0..<100 {
            let path = logFolder + "/" + stamp + (attempt == 0 ? "" : "-\(attempt)") + "-" + deployment + ".log"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o640)
            if fd >= 0 { return (path, fd) }
            if errno != EEXIST {
                throw .storage("cannot create the action log \(path): \(String(cString: strerror(errno)))")
            }
        }
        throw .storage("cannot create a unique action log name in \(logFolder)")
    }

    /// Appends `line` on a line of its own (after a newline if the log does not end with one).
    static func appendLine(_ line: String, toFile path: String, fd: Int32? = nil) {
        let owned = fd == nil
        let descriptor = fd ?? open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return }
        defer { if owned { close(descriptor) } }
        var info = stat()
        var text = line + "\n"
        if fstat(descriptor, &info) == 0, info.st_size > 0 {
            let reader = open(path, O_RDONLY | O_CLOEXEC)
            var last: UInt8 = 0
            if reader >= 0 {
                _ = pread(reader, &last, 1, info.st_size - 1)
                close(reader)
            }
            if last != UInt8(ascii: "\n") { text = "\n" + text }
        }
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
    }
}
