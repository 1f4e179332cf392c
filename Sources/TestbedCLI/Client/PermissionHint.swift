#if canImport(Glibc)
import Glibc
#endif

/// Why this user may not connect to a socket, named from what the file
/// system says: a folder on the way they may not enter (a `testbedd --dev`
/// started by someone else), or the socket's own mode and group (the
/// `testbed` group under systemd).
enum PermissionHint {
    static func explain(_ path: String) -> String {
        let uid = getuid()
        // The first folder on the way that this user may not enter.
        var folder = ""
        for part in path.split(separator: "/").dropLast() {
            folder += "/" + part
            if access(folder, X_OK) != 0 {
                return "permission denied on \(path): uid \(uid) may not enter \(folder) (\(describe(folder))). "
                    + "A testbedd --dev keeps its socket in the folder it was started from, for the user who started it: "
                    + "run testbedctl as that user, or start your own testbedd --dev"
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return "permission denied on \(path)" }
        let group = groupName(info.st_gid)
        if info.st_mode & 0o060 == 0o060, info.st_gid != 0 {
            return "permission denied on \(path) (\(describe(path))): only members of the \(group) group may use it "
                + "(an administrator can run `sudo usermod -aG \(group) $USER`; then log in again). "
                + "Anyone may read through the read-only socket"
        }
        return "permission denied on \(path) (\(describe(path))): only \(userName(info.st_uid)) may use it"
    }

    /// `mode 0660, owner root, group testbed`.
    static func describe(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot be read" }
        return "mode 0" + String(info.st_mode & 0o7777, radix: 8) + ", owner \(userName(info.st_uid)), group \(groupName(info.st_gid))"
    }

    private static func userName(_ uid: uid_t) -> String { UserName.of(uid) ?? String(uid) }

    private static func groupName(_ gid: gid_t) -> String {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return String(gid) }
        return String(cString: entry.gr_name)
    }
}
