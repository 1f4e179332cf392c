import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// IP address text: one canonical form per address, and this host's own.
enum IPAddress {
    /// `text` in canonical form (`::ffff:10.0.0.2` gives `10.0.0.2`); nil when it is not an IP address.
    static func canonical(_ text: String) -> String? {
        var v4 = in_addr(), v6 = in6_addr()
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if inet_pton(AF_INET, text, &v4) == 1 {
            return inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count)).map { _ in String(cString: buffer) }
        }
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let canonical = inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)).map { _ in String(cString: buffer) }
        if let canonical, canonical.hasPrefix("::ffff:"), let mapped = Self.canonical(String(canonical.dropFirst(7))), !mapped.contains(":") {
            return mapped
        }
        return canonical
    }

    /// Whether `text` is 0.0.0.0 or ::, which name no host.
    static func isUnspecified(_ text: String) -> Bool {
        ["0.0.0.0", "::"].contains(canonical(text))
    }

    /// The first IPv4 address of an interface that is up and not loopback: a
    /// first guess at the address other hosts reach this one at.
    static func primary() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let flags = Int32(entry.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0,
                let address = entry.pointee.ifa_addr, Int32(address.pointee.sa_family) == AF_INET
            else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN) + 1)
            let text = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer -> String? in
                var raw = pointer.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)).map { _ in String(cString: buffer) }
            }
            if let text { return text }
        }
        return nil
    }
}
