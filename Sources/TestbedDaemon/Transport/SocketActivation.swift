import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// The sockets systemd passed (`LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES`).
public enum SocketActivation {
    /// True when systemd passed sockets to this process; changes nothing.
    public static var isActivated: Bool { sd_listen_fds(0) > 0 }

    /// The passed sockets, named by their units' `FileDescriptorName=`; empty
    /// when the daemon was not socket-activated. The variables are removed from
    /// the environment so children never see them.
    public static func listeners() throws(ListenerError) -> [Listener] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count >= 0 else {
            throw ListenerError("cannot read the sockets systemd passed: \(String(cString: strerror(-count)))")
        }
        defer {
            if let names {
                for i in 0..<Int(count) { free(names[i]) }
                free(names)
            }
        }
        var listeners: [Listener] = []
        for i in 0..<Int(count) {
            let fd = SD_LISTEN_FDS_START + Int32(i)
            guard sd_is_socket(fd, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0 else {
                throw ListenerError("systemd passed file descriptor \(fd), which is not a listening stream socket")
            }
            let name = names.flatMap { $0[i] }.map { String(cString: $0) } ?? "unknown"
            listeners.append(Listener(name: name, fd: fd, ownedSocketFile: nil))
        }
        return listeners
    }
}
