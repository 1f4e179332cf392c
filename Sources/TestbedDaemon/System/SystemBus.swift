import CSystemd
import Foundation

/// A connection to the system bus (sd-bus), for systemd's manager and polkit.
/// Not thread-safe: one per thread of use, closed with `close()`.
final class SystemBus {
    let bus: OpaquePointer

    struct Failure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    init() throws(Failure) {
        var bus: OpaquePointer?
        let result = sd_bus_open_system(&bus)
        guard result >= 0, let bus else { throw Failure(description: "cannot reach the system bus: \(Self.text(result))") }
        self.bus = bus
    }

    deinit { sd_bus_flush_close_unref(bus) }

    /// Calls `member` of `interface` at `path` on `destination`; `build` appends
    /// the arguments; `read` reads the reply.
    func call<T>(
        _ destination: String, _ path: String, _ interface: String, _ member: String,
        timeout: Duration = .seconds(10),
        build: (OpaquePointer) -> Int32 = { _ in 0 },
        read: (OpaquePointer) -> T?
    ) throws(Failure) -> T {
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(bus, &message, destination, path, interface, member)
        guard result >= 0, let message else { throw Failure(description: "cannot build \(member): \(Self.text(result))") }
        defer { sd_bus_message_unref(message) }
        result = build(message)
        guard result >= 0 else { throw Failure(description: "cannot build \(member): \(Self.text(result))") }
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        let usec = UInt64(timeout.components.seconds) * 1_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000_000)
        result = sd_bus_call(bus, message, usec, &error, &reply)
        guard result >= 0, let reply else {
            let name = error.name.map { String(cString: $0) } ?? Self.text(result)
            let detail = error.message.map { String(cString: $0) } ?? ""
            throw Failure(description: "\(member) failed (\(name)\(detail.isEmpty ? "" : ": " + detail))")
        }
        defer { sd_bus_message_unref(reply) }
        guard let value = read(reply) else { throw Failure(description: "\(member) sent a reply testbedd cannot read") }
        return value
    }

    /// A string property.
    func stringProperty(_ destination: String, _ path: String, _ interface: String, _ member: String) throws(Failure) -> String {
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var value: UnsafeMutablePointer<CChar>?
        let result = sd_bus_get_property_string(bus, destination, path, interface, member, &error, &value)
        guard result >= 0, let value else { throw Failure(description: "cannot read \(member): \(Self.text(result))") }
        defer { free(value) }
        return String(cString: value)
    }

    /// A fixed-size property (`type` is its D-Bus type code).
    func trivialProperty<T>(
        _ destination: String, _ path: String, _ interface: String, _ member: String, type: Character, initial: T
    ) throws(Failure) -> T {
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var value = initial
        let result = withUnsafeMutablePointer(to: &value) {
            sd_bus_get_property_trivial(bus, destination, path, interface, member, &error, Self.code(type), $0)
        }
        guard result >= 0 else { throw Failure(description: "cannot read \(member): \(Self.text(result))") }
        return value
    }

    static func code(_ character: Character) -> CChar { CChar(character.asciiValue!) }

    static func appendString(_ message: OpaquePointer, _ value: String) -> Int32 {
        value.withCString { sd_bus_message_append_basic(message, code("s"), $0) }
    }

    static func text(_ result: Int32) -> String { String(cString: strerror(-result)) }
}
