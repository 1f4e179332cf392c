import CSystemd
import Foundation
import TestbedProtocol

/// Asks polkit (`org.freedesktop.PolicyKit1.Authority.CheckAuthorization` on
/// the system bus, through sd-bus) whether a process may do an action, without
/// interaction: no agent, a timeout or a denial are all a "no". Blocking: call
/// it off the event loop.
public struct PolkitAuthority: Sendable {
    /// The actions testbedd asks about (polkit/org.testbedos.policy).
    public static let manageAction = "org.testbedos.manage"
    public static let adminAction = "org.testbedos.admin"

    public let timeout: Duration

    public init(timeout: Duration = .seconds(5)) { self.timeout = timeout }

    /// Why polkit could not answer.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// True when polkit authorizes `peer` for `action`.
    public func isAuthorized(_ peer: PeerCredentials, for action: String) throws(Failure) -> Bool {
        // The start time read when the client connected: if its pid were recycled
        // since, polkit sees the mismatch instead of judging another process.
        guard let startTime = peer.startTime else {
            throw Failure(description: "the start time of process \(peer.pid) is unknown")
        }
        let bus: SystemBus
        do { bus = try SystemBus() } catch { throw Failure(description: error.description) }
        // CheckAuthorization(subject (sa{sv}), action_id s, details a{ss}, flags u, cancellation_id s).
        // The subject is a unix-process: pid (u), start-time (t) and uid (i; polkit
        // silently ignores a uid sent as u, which would drop its pid-reuse guard).
        var pid = UInt32(peer.pid)
        var start = startTime
        var uid = Int32(bitPattern: peer.uid)
        var flags: UInt32 = 0  // no interaction
        do {
            return try bus.call(
                "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization", timeout: timeout,
                build: { message in
                    let steps: [() -> Int32] = [
                        { sd_bus_message_open_container(message, Self.code("r"), "sa{sv}") },
                        { SystemBus.appendString(message, "unix-process") },
                        { sd_bus_message_open_container(message, Self.code("a"), "{sv}") },
                        { Self.appendEntry(message, "pid", "u", &pid) },
                        { Self.appendEntry(message, "start-time", "t", &start) },
                        { Self.appendEntry(message, "uid", "i", &uid) },
                        { sd_bus_message_close_container(message) },
                        { sd_bus_message_close_container(message) },
                        { SystemBus.appendString(message, action) },
                        { sd_bus_message_open_container(message, Self.code("a"), "{ss}") },
                        { sd_bus_message_close_container(message) },
                        { sd_bus_message_append_basic(message, Self.code("u"), &flags) },
                        { SystemBus.appendString(message, "") },
                    ]
                    for step in steps {
                        let result = step()
                        if result < 0 { return result }
                    }
                    return 0
                },
                read: { reply in
                    // Reply: (bba{ss}): is_authorized, is_challenge, details.
                    var authorized: Int32 = 0
                    guard sd_bus_message_enter_container(reply, Self.code("r"), "bba{ss}") >= 0,
                        sd_bus_message_read_basic(reply, Self.code("b"), &authorized) >= 0
                    else { return nil }
                    return authorized != 0
                })
        } catch {
            throw Failure(description: "polkit did not answer: \(error.description)")
        }
    }

    private static func code(_ character: Character) -> CChar { SystemBus.code(character) }

    private static func appendEntry<T>(_ message: OpaquePointer, _ key: String, _ type: String, _ value: inout T) -> Int32 {
        var result = sd_bus_message_open_container(message, code("e"), "sv")
        if result >= 0 { result = SystemBus.appendString(message, key) }
        if result >= 0 { result = sd_bus_message_open_container(message, code("v"), type) }
        if result >= 0 { result = withUnsafePointer(to: &value) { sd_bus_message_append_basic(message, code(Character(type)), $0) } }
        if result >= 0 { result = sd_bus_message_close_container(message) }
        if result >= 0 { result = sd_bus_message_close_container(message) }
        return result
    }
}
