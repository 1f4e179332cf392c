#if canImport(Glibc)
import Glibc
#endif
import TestbedProtocol

/// User names for uids, as the local password database has them.
enum UserName {
    private static let known = Locked<[UInt32: String?]>([:])

    /// The name of `uid`, or nil when the password database has none.
    static func of(_ uid: UInt32) -> String? {
        if let cached = known.withLock({ $0[uid] }) { return cached }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let name: String? =
            getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: entry.pw_name) : nil
        known.withLock { $0[uid] = .some(name) }
        return name
    }

    /// The uid of `user`, a number or a name; nil when there is no such user.
    static func uid(named user: String) -> UInt32? {
        if let number = UInt32(user) { return number }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// The name of `uid` for a table: the name, else the number; `-` for none.
    static func describe(_ uid: UInt32?) -> String {
        guard let uid else { return "-" }
        return of(uid) ?? String(uid)
    }
}
