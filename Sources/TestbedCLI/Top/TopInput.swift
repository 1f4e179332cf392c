import TestbedProtocol

/// Everything `testbedctl top`'s loop reacts to, from the daemon, the
/// terminal and its own timers, in the order it happened.
enum TopInput: Sendable {
    /// The snapshot taken once the event watch had started.
    case snapshot(TopModel)
    case event(DaemonEvent)
    case figures(DaemonFigures)
    /// A running action's log has a new last line.
    case lastLine(actionID: String, deployment: String, line: String)
    /// A running action's log has ended (or could not be read).
    case tailEnded(actionID: String)
    /// Text of the log shown full-screen, by the number of its follow.
    case logText(follow: Int, text: [UInt8])
    /// The log shown full-screen has ended, and how.
    case logEnded(follow: Int, ending: String)
    case key(Key)
    case resize
    case tick
    /// A signal asked to stop (SIGINT, SIGTERM, SIGHUP).
    case stop(signal: Int32)
    /// Something to tell the person (a cancel's answer, a refresh that failed).
    case notice(String)
    /// The event watch ended: top cannot go on.
    case failed(CLIError)
}
