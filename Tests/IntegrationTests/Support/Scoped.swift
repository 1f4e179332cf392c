/// Runs `body`, then awaits `cleanup` however `body` ended (returned or threw),
/// so what a test started is stopped before the test ends. A
/// `defer { Task { … } }` instead starts the cleanup in a task nobody awaits:
/// it may run after the test (or the whole run) has ended, or not at all.
func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    let value: T
    do {
        value = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return value
}
