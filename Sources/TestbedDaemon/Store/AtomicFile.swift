#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Crash-safe file replacement: write a temporary file in the same folder,
/// fsync it, rename it over the target, fsync the folder. A reader (or a
/// restart after a crash) sees the old bytes or the new bytes, never a mix.
public enum AtomicFile {
    /// The prefix of temporary files, so a store can recognise and clean up leftovers.
    public static let temporaryPrefix = ".tmp-"

    /// Replaces the file at `path` with `data`, giving it `mode`.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o640) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let temporary = "\(folder)/\(temporaryPrefix)\(name).\(suffix)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw StoreError.posix("create a temporary file in", folder, errno: errno) }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw StoreError.posix("set the mode of", temporary, errno: errno) }
            try data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw StoreError.posix("write", temporary, errno: errno)
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else { throw StoreError.posix("fsync", temporary, errno: errno) }
        }
        guard rename(temporary, path) == 0 else { throw StoreError.posix("rename a temporary file to", path, errno: errno) }
        renamed = true
        try syncFolder(folder)
    }

    /// Removes the file at `path` durably; a missing file is not an error.
    public static func remove(_ path: String) throws {
        if unlink(path) != 0 {
            if errno == ENOENT { return }
            throw StoreError.posix("remove", path, errno: errno)
        }
        try syncFolder((path as NSString).deletingLastPathComponent)
    }

    /// Makes a rename or unlink in `folder` durable.
    public static func syncFolder(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.posix("open", folder, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.posix("fsync", folder, errno: errno) }
    }

    /// Creates `path` and its missing parents with `mode`.
    public static func makeFolder(_ path: String, mode: mode_t = 0o755) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: NSNumber(value: mode)])
        } catch {
            throw StoreError("cannot create the folder \(path): \(error.localizedDescription)")
        }
    }
}
