// The socket constants come through CSystemd: its headers include
// <sys/socket.h>, which makes Clang attribute them to that module here.
import CSystemd
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Binds the daemon's own Unix socket when systemd does not pass one: creates
/// the folder, replaces a stale socket file, refuses to start when another live
/// daemon answers at the path, and gives the file its mode from the first instant.
public enum UnixSocketBinder {
    /// A listening socket at `path` with permission `mode`, owned by `group` when given.
    public static func bind(path: String, mode: UInt16, group: UInt32? = nil, name: String) throws(ListenerError) -> Listener {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try AtomicFile.makeFolder(folder, mode: 0o755)
        } catch {
            throw ListenerError("cannot create the socket folder \(folder): \(error)")
        }
        try clearStaleSocket(at: path)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenerError("cannot create a Unix socket: \(errnoText())") }
        var address = try socketAddress(path)
        // The umask makes bind create the file with `mode` already, so there is no
        // instant where a wider mode lets someone connect. Nothing else creates
        // files while the daemon starts up.
        let previousMask = umask(mode_t(~mode & 0o777))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let bindErrno = errno
        umask(previousMask)
        guard bound == 0 else {
            close(fd)
            throw ListenerError("cannot bind \(path): \(String(cString: strerror(bindErrno)))")
        }
        if let group, chown(path, uid_t.max, group) != 0 {
            let text = errnoText()
            close(fd)
            unlink(path)
            throw ListenerError("cannot give \(path) to group \(group): \(text)")
        }
        guard chmod(path, mode_t(mode)) == 0, listen(fd, SOMAXCONN) == 0 else {
            let text = errnoText()
            close(fd)
            unlink(path)
            throw ListenerError("cannot listen on \(path): \(text)")
        }
        return Listener(name: name, fd: fd, ownedSocketFile: OwnedSocketFile(path: path))
    }

    /// Removes a socket file nobody answers on; refuses when a daemon answers,
    /// or when the path is something other than a socket.
    static func clearStaleSocket(at path: String) throws(ListenerError) {
        guard try refuseIfServed(path) else { return }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ListenerError("cannot remove the stale socket \(path): \(errnoText())")
        }
    }

    /// Refuses when a daemon answers at `path`, or when `path` is something
    /// other than a socket; true when a stale socket file is there. Changes nothing.
    static func refuseIfServed(_ path: String) throws(ListenerError) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenerError("\(path) exists and is not a socket; remove it or choose another socket path")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw ListenerError("cannot create a Unix socket: \(errnoText())") }
        defer { close(probe) }
        var address = try socketAddress(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 {
            throw ListenerError("another testbedd is already serving \(path); stop it first (or use another --socket)")
        }
        guard errno == ECONNREFUSED else {
            throw ListenerError("cannot check the existing socket \(path): \(errnoText())")
        }
        return true
    }

    static func socketAddress(_ path: String) throws(ListenerError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw ListenerError("socket path \(path) is too long (\(bytes.count) bytes; the limit is \(capacity - 1))")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
