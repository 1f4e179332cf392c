#if canImport(Glibc)
import Glibc
#endif

/// A bound Unix socket of `type` at `path`, for test stand-ins of peers
/// (a newer daemon, systemd's notify socket, the journal).
func bindUnixSocket(_ path: String, type: Int32) throws -> Int32 {
    let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard fd >= 0, bound == 0 else {
        if fd >= 0 { close(fd) }
        throw ProcessRunError("cannot bind \(path)")
    }
    return fd
}
