import NIOCore
import TestbedProtocol

/// polkit's answers for one connection, on its event loop: the last one is
/// reused for a short while, and while a question is out, later requests wait
/// on the same one, in order, rather than each asking again.
final class PolkitGrants {
    /// How long polkit's answer is reused on one connection.
    static let lifetime = TimeAmount.seconds(30)

    private var granted: (role: Role?, until: NIODeadline)?
    private var pending: EventLoopFuture<Role?>?

    enum Answer {
        /// The role granted (nil: none), still fresh.
        case known(Role?)
        case asking(EventLoopFuture<Role?>)
    }

    /// The role polkit granted, or the question that will tell, asked with `ask` if none is out.
    func role(on loop: any EventLoop, asking ask: () -> EventLoopFuture<Role?>) -> Answer {
        if let granted, granted.until > .now() { return .known(granted.role) }
        if let pending { return .asking(pending) }
        let question = ask()
        pending = question
        let grants = NIOLoopBound(self, eventLoop: loop)
        question.whenComplete { outcome in
            grants.value.pending = nil
            if case .success(let role) = outcome { grants.value.granted = (role, .now() + Self.lifetime) }
        }
        return .asking(question)
    }
}
