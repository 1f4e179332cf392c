import NIOCore

/// A method's answer: ready now (served where the request arrived, no thread
/// hop), or later, when blocking work completes elsewhere.
public enum MethodReply<Result: Encodable & Sendable>: Sendable {
    case now(Result)
    case later(EventLoopFuture<Result>)
}
