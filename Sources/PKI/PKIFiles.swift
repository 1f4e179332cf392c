import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing certificate files: written whole (a temporary file,
/// fsync, rename), with the mode set before any byte lands, and never over an
/// existing file unless asked.
public enum PKIFiles {
    /// Writes `text` to `path` with `mode`. Refuses an existing file unless `force`.
    public static func write(_ text: String, to path: String, mode: mode_t, force: Bool) throws(PKIError) {
        if !force && FileManager.default.fileExists(atPath: path) {
            throw PKIError("\(path) already exists; pass --force to replace it")
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        // A fresh name, created exclusively: in a folder others may write to, nobody
        // can have opened it beforehand to read the key written into it.
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let temporary = (slash == nil ? "." : folder) + "/.\(name).\(suffix).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw PKIError("cannot write \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var written = 0
        var failure: Int32 = 0
        _ = fchmod(fd, mode)
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; failure = errno; break }
            written += n
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw PKIError("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }

    /// Creates `path` (and its parents) with `mode` when it does not exist.
    public static func makeFolder(_ path: String, mode: mode_t) throws(PKIError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw PKIError("cannot create \(path): \(error)")
        }
    }

    /// The text of `path`, with a sentence naming the file when it cannot be read.
    public static func read(_ path: String, what: String) throws(PKIError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read (permissions?)" : "it does not exist"
            throw PKIError("cannot read the \(what) at \(path): \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PKIError("the \(what) at \(path) is not PEM text")
        }
        return text
    }
}
