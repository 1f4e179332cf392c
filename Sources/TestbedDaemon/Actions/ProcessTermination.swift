/// How an orchestrator process ended.
public enum ProcessTermination: Sendable, Hashable {
    case exited(Int32)
    case signaled(Int32)
}
