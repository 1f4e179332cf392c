#if canImport(Glibc)
import Glibc
#endif

/// User names for owners' uids, each looked up once (getpwuid_r); the uid
/// itself when there is no such user.
final class OwnerNames {
    private var known: [UInt32: String] = [:]

    init() {}

    func name(_ uid: UInt32?) -> String {
        guard let uid else { return "-" }
        if let name = known[uid] { return name }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let name = getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: entry.pw_name) : String(uid)
        known[uid] = name
        return name
    }
}
