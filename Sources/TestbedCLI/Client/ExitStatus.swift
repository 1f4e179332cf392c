import TestbedProtocol

/// testbedctl's exit codes (sysexits.h where one fits).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The daemon refused or failed the request.
    public static let failure: Int32 = 1
    /// The command line or its values are wrong (EX_USAGE).
    public static let usage: Int32 = 64
    /// The daemon cannot be reached (EX_UNAVAILABLE).
    public static let unavailable: Int32 = 69
    /// An action is in progress; try again later (EX_TEMPFAIL).
    public static let busy: Int32 = 75
    /// The daemon speaks another protocol version (EX_PROTOCOL).
    public static let protocolMismatch: Int32 = 76
    /// Permission denied (EX_NOPERM).
    public static let permissionDenied: Int32 = 77
    /// A wait ran out of time (as timeout(1) exits).
    public static let timedOut: Int32 = 124
    /// Stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
    public static let interrupted: Int32 = 130

    /// The exit code for an error the daemon returned.
    public static func forDaemonError(_ code: RPCErrorCode) -> Int32 {
        switch code {
        case .busy: busy
        case .permissionDenied: permissionDenied
        case .invalidParams: usage
        default: failure
        }
    }
}
