import Foundation
import TestbedPKI
import TestbedProtocol

/// The checks a host.json passes before it is written or accepted from a peer.
enum HostValidation {
    /// Throws invalid-params naming the first bad field of `host` (under `prefix`).
    static func check(_ host: HostDescription, prefix: String) throws(RPCError) {
        func bad(_ field: String, _ message: String) -> RPCError {
            .invalidParams(field: prefix + field, "\(prefix + field): \(message)")
        }
        let texts: [(String, String?)] = [
            ("ip", host.ip), ("user", host.user), ("identity_file", host.identityFile), ("testbed_nic", host.testbedNic),
            ("main_interface", host.mainInterface), ("ovn.chassis_name", host.ovn.chassisName), ("ovn.bridge", host.ovn.bridge),
            ("ovn.client_ovn_remote", host.ovn.clientOvnRemote),
        ]
        for (field, text) in texts {
            guard let text else { continue }
            guard text.utf8.count <= 4096, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                throw bad(field, "must be at most 4096 bytes, without control characters")
            }
        }
        guard isAddress(host.ip) else { throw bad("ip", "\"\(host.ip)\" is not an IP address or host name") }
        guard isName(host.user, max: 32) else { throw bad("user", "\"\(host.user)\" is not a user name") }
        guard isKeyPath(host.identityFile) else {
            throw bad("identity_file", "must be an absolute path to the SSH key: letters, digits, '.', '_', '-' and '/', no '..', at most 255 bytes")
        }
        for (field, nic) in [("testbed_nic", host.testbedNic), ("main_interface", host.mainInterface)] {
            guard nic.isEmpty || isInterface(nic) else { throw bad(field, "\"\(nic)\" is not a network interface name") }
        }
        if let problem = ChassisName.problem(with: host.ovn.chassisName) {
            throw bad("ovn.chassis_name", "\"\(host.ovn.chassisName)\" is not a chassis name: \(problem)")
        }
        if let bridge = host.ovn.bridge, !isInterface(bridge) {
            throw bad("ovn.bridge", "\"\(bridge)\" is not a bridge name")
        }
        if let remote = host.ovn.clientOvnRemote, !isOVNRemote(remote) {
            throw bad("ovn.client_ovn_remote", "\"\(remote)\" is not an OVN remote such as tcp:10.0.0.1:6642")
        }
    }

    static func isAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1 { return true }
        // A host name's last label is never all digits: 10.0.0.300 is a bad address, not a name.
        guard let last = text.split(separator: ".").last, !last.allSatisfy(\.isNumber) else { return false }
        return ChassisName.problem(with: text.lowercased()) == nil
    }

    /// An absolute path of plain characters, without `..`: it is handed to ssh as root.
    static func isKeyPath(_ text: String) -> Bool {
        text.hasPrefix("/") && text.utf8.count <= 255
            && text.utf8.allSatisfy { isPlain($0) || $0 == UInt8(ascii: "/") }
            && !text.split(separator: "/").contains("..")
    }

    /// `tcp:HOST:PORT` or `ssl:HOST:PORT`, HOST an address or a host name.
    static func isOVNRemote(_ text: String) -> Bool {
        guard text.hasPrefix("tcp:") || text.hasPrefix("ssl:") else { return false }
        let rest = String(text.dropFirst(4))
        guard rest.contains(":"), let address = try? BridgeAddress(parsing: rest, setting: "remote") else { return false }
        return isAddress(address.host) && rest.hasSuffix(":\(address.port)")
    }

    /// A letter, a digit, `-`, `_` or `.`.
    static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    static func isName(_ text: String, max: Int) -> Bool {
        !text.isEmpty && text.utf8.count <= max
            && text.utf8.allSatisfy(isPlain)
            && !text.hasPrefix("-")
    }

    /// Linux interface names: at most 15 bytes, no '/', no whitespace.
    static func isInterface(_ text: String) -> Bool {
        isName(text, max: 15) && text != "." && text != ".."
    }
}
