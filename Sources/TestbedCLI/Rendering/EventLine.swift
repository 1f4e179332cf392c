import TestbedProtocol

/// One event as a line for people: its time, number, and what happened.
enum EventLine {
    static func describe(_ event: DaemonEvent) -> String {
        let name = event.deployment ?? event.chassis ?? "-"
        let what: String
        switch event.kind {
        case .deploymentCreated:
            what = "created" + (event.owner.map { " (owner \($0))" } ?? "")
        case .deploymentDestroyed:
            what = "destroyed"
        case .deploymentState:
            what = "state " + (event.previousState.map { Output.describe($0) + " -> " } ?? "") + (event.state.map(Output.describe) ?? "?")
        case .actionStarted:
            what = "\(event.command?.word ?? "action") started (action \(event.actionID ?? "?"))"
        case .actionEnded:
            let outcome = event.outcome.map(Self.describe) ?? "ended"
            what = "\(event.command?.word ?? "action") \(outcome) (action \(event.actionID ?? "?"))"
        case .clusterJoined:
            what = "joined the cluster"
        case .clusterEvicted:
            what = "evicted from the cluster"
        case .clusterHealth:
            what = event.healthy == true ? "reachable again" : "unreachable"
        }
        return "\(Output.describe(event.time))  #\(event.seq)  \(name): \(what)"
    }

    private static func describe(_ outcome: ActionOutcome) -> String {
        if outcome.cancelledBy != nil { return "was cancelled" }
        if let signal = outcome.signal { return "was killed by signal \(signal)" }
        if let code = outcome.errorCode { return code == 0 ? "succeeded" : "failed (exit \(code))" }
        return "ended"
    }
}
