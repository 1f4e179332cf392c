#if canImport(Glibc)
import Glibc
#endif

/// The process's standard streams, read and written with read(2) and
/// write(2): the CLI needs no Foundation file handles (and so no ICU).
public enum StandardStream: Int32 {
    case input = 0
    case output = 1
    case error = 2

    /// Writes all of `text`.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes all of `bytes` (retrying after EINTR). When the reader of
    /// standard output has gone (`testbedctl events | head`), the process ends
    /// as any Unix tool does then: by SIGPIPE, which the runtime ignores.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard !attemptWrite(bytes), errno == EPIPE, self == .output else { return }
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
    }

    /// Writes all of `text`; false when it could not (the reader has closed
    /// the pipe), so that a command printing without end can stop.
    public func attemptWrite(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { attemptWrite(UnsafeRawBufferPointer($0)) }
    }

    /// Writes all of `bytes`, retrying after EINTR; false when it could not.
    public func attemptWrite(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(rawValue, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Everything until the end of the stream.
    public func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes }
            bytes += chunk[..<n]
        }
    }
}
