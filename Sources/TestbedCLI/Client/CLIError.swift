import TestbedProtocol

/// An error testbedctl reports as one line on stderr, then exits with `status`.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var status: Int32
    /// The daemon's error code, when the daemon refused the request.
    public var code: RPCErrorCode?

    public init(_ message: String, status: Int32 = ExitStatus.failure, code: RPCErrorCode? = nil) {
        self.message = message
        self.status = status
        self.code = code
    }

    public var description: String { message }
}
