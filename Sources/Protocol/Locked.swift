import NIOConcurrencyHelpers

/// A value behind a lock, with the same `withLock` as the standard library's
/// `Mutex`, which it replaces everywhere here: on Linux `Mutex` waits in futex
/// calls that ThreadSanitizer cannot see, so every contended `Mutex` showed as a
/// data race; this one is a `pthread_mutex_t` (NIO's `NIOLock`), which
/// ThreadSanitizer follows, so its reports are real ones.
///
/// For a lock that guards no value, use `NIOLock` itself: ThreadSanitizer
/// takes an `inout` access to a zero-sized value for one to the lock beside it.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NIOLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
