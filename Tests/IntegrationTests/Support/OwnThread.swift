import Foundation

/// Runs blocking work (a `RawClient` exchange, a timed sequence of sends) on a
/// thread of its own: on the cooperative pool, which has one thread per core
/// and is shared by every test running at once, it would hold back other
/// tests, and their blocking work would hold back its timing.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
