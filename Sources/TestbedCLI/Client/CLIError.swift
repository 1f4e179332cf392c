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

    /// A stable word for the kind of error, as `--json` reports it: the
    /// daemon's code when it refused (`not_found`, `busy`…), else what the
    /// exit status stands for (`usage`, `unreachable`…).
    public var kind: String {
        if let code { return code.name }
        switch status {
        case ExitStatus.usage: return "usage"
        case ExitStatus.unavailable: return "unreachable"
        case ExitStatus.busy: return "busy"
        case ExitStatus.protocolMismatch: return "protocol_mismatch"
        case ExitStatus.permissionDenied: return "permission_denied"
        case ExitStatus.timedOut: return "timed_out"
        case ExitStatus.interrupted: return "interrupted"
        default: return "failed"
        }
    }
}
