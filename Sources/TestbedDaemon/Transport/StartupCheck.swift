#if canImport(Glibc)
import Glibc
#endif

/// What the daemon checks before it creates anything, so that a start that
/// cannot succeed leaves nothing behind: no other daemon serves its sockets,
/// and it may create its sockets and its state folder where they go.
public enum StartupCheck {
    /// Throws the first reason the daemon could not start with `configuration`
    /// (the sockets are checked unless systemd passes them).
    public static func verify(_ configuration: DaemonConfiguration) throws(ListenerError) {
        try verify(
            sockets: SocketActivation.isActivated ? [] : [configuration.socketPath, configuration.readOnlySocketPath],
            stateDirectory: configuration.stateDirectory)
    }

    /// Throws the first reason the daemon could not start with these paths.
    /// `sockets` are the Unix sockets it will bind (none under socket activation).
    static func verify(sockets: [String], stateDirectory: String) throws(ListenerError) {
        for path in sockets where !path.isEmpty {
            _ = try UnixSocketBinder.refuseIfServed(path)
            try creatable(parent(of: path), for: "the socket \(path)")
        }
        try creatable(stateDirectory, for: "the state folder \(stateDirectory)")
    }

    /// Throws unless `folder` is a folder this process may write in, or the
    /// nearest folder above it that exists is (so that it can be made).
    static func creatable(_ folder: String, for what: String) throws(ListenerError) {
        var current = folder
        while true {
            var info = stat()
            if stat(current, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw ListenerError("cannot create \(what): \(current) is not a folder")
                }
                guard access(current, W_OK | X_OK) == 0 else {
                    throw ListenerError(
                        "cannot create \(what): uid \(geteuid()) may not write in \(current) (\(String(cString: strerror(errno)))); "
                            + "run testbedd as root, or give paths you own (testbedd --dev keeps everything in ./.testbedos)")
                }
                return
            }
            guard errno == ENOENT, current != "/", !current.isEmpty else {
                throw ListenerError("cannot create \(what): \(current): \(String(cString: strerror(errno)))")
            }
            current = parent(of: current)
        }
    }

    /// The folder holding `path` ("/" for a path at the root).
    static func parent(of path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
