import TestbedProtocol

/// What a client agreed for its connection in `rpc.hello`. It belongs to the
/// connection's event loop, like the handler that owns it.
final class ConnectionSession: @unchecked Sendable {
    /// How this connection's `rpc.stream` notifications carry text.
    var streamFormat = StreamFormat.lines
}
