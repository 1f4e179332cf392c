/// An error in testbedctl's `--json` output: one object on stderr
/// (docs/cli.md, "error"), with the exit status the process ends with.
struct ErrorJSON: Encodable {
    /// A stable word for the kind of error (`not_found`, `usage`, `unreachable`…).
    let code: String
    let message: String
    let exitCode: Int32
    /// The daemon's JSON-RPC error code, when the daemon refused the request.
    let rpcCode: Int?

    private enum Key: String, CodingKey {
        case code, message
        case exitCode = "exit_code"
        case rpcCode = "rpc_code"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(rpcCode, forKey: .rpcCode)
    }
}
