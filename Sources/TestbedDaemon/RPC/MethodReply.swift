import Foundation
import NIOCore

/// A method's answer: ready now (served where the request arrived, no thread
/// hop), later, when blocking work completes elsewhere, or as a stream of
/// lines before a final result.
public enum MethodReply<Result: Encodable & Sendable>: Sendable {
    case now(Result)
    case later(EventLoopFuture<Result>)
    /// The body runs on the connection's event loop with the request's stream,
    /// which it ends with `finish` or `fail`. (`Result` is unused here.)
    case stream(@Sendable (RequestStream) -> Void)
    /// A result already encoded as JSON (`Result`'s encoding), kept by whoever serves it often.
    case encoded(Data)
}
