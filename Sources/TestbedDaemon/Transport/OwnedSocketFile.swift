#if canImport(Glibc)
import Glibc
#endif

/// A socket file the daemon created. It is removed at exit only if it is still
/// the same file, so a daemon that lost its path to a successor leaves the
/// successor's socket alone.
public struct OwnedSocketFile: Sendable {
    public let path: String
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        self.path = path
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
    }

    /// Removes the file if it is still ours.
    public func remove() {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode else { return }
        unlink(path)
    }
}
