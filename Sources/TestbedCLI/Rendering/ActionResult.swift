import TestbedProtocol

/// How an action stands, decided in this one place for tables, `--json`,
/// events and `top`: `running` until its outcome is recorded; then
/// `cancelled` (by someone, or by the daemon after a timeout),
/// `interrupted` (testbedd stopped and could not learn how it ended),
/// `succeeded` (exit code 0) or `failed`.
enum ActionResult: String, Sendable, Hashable {
    case running, succeeded, failed, cancelled, interrupted

    init(_ record: ActionRecord) {
        self = record.isFinished ? ActionResult(ended: ActionOutcome(record)) : .running
    }

    /// An action that has ended, from its outcome (none known: failed).
    init(ended outcome: ActionOutcome?) {
        if outcome?.cancelledBy != nil {
            self = .cancelled
        } else if outcome?.note?.hasPrefix("interrupted") == true {
            self = .interrupted
        } else {
            self = outcome?.errorCode == 0 && outcome?.signal == nil ? .succeeded : .failed
        }
    }

    /// The word a table shows: `ok` for a success, the word itself otherwise.
    var tableWord: String { self == .succeeded ? "ok" : rawValue }
}
