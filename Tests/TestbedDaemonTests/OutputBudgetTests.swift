import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import TestbedDaemon

@Suite struct OutputBudgetTests {
    @Test func unprivilegedConnectionsStopAtTheLimitAndAdminsNever() {
        let budget = OutputBudget(limit: 1000)
        budget.take(999)
        #expect(budget.hasRoom(privileged: false))
        budget.take(1)
        #expect(!budget.hasRoom(privileged: false))
        #expect(budget.hasRoom(privileged: true))
        budget.take(10_000)
        #expect(budget.hasRoom(privileged: true))
        budget.giveBack(11_000)
        #expect(budget.used == 0)
        #expect(budget.hasRoom(privileged: false))
    }

    @Test func aWaitingConnectionIsWokenOnceThereIsRoomAndOnlyThen() {
        let loop = EmbeddedEventLoop()
        let budget = OutputBudget(limit: 100)
        let woken = Atomic<Int>(0)
        budget.take(150)
        final class Token {}
        let token = Token()
        budget.wait(ObjectIdentifier(token), on: loop, privileged: false) { woken.add(1, ordering: .relaxed) }
        loop.run()
        #expect(woken.load(ordering: .relaxed) == 0)
        budget.giveBack(40)  // 110: still over the limit
        loop.run()
        #expect(woken.load(ordering: .relaxed) == 0)
        budget.giveBack(20)  // 90
        loop.run()
        #expect(woken.load(ordering: .relaxed) == 1)
        budget.giveBack(90)
        loop.run()
        #expect(woken.load(ordering: .relaxed) == 1)  // once per wait
    }

    @Test func aCancelledWaitIsNeverCalled() {
        let loop = EmbeddedEventLoop()
        let budget = OutputBudget(limit: 10)
        let woken = Atomic<Int>(0)
        budget.take(20)
        final class Token {}
        let token = Token()
        budget.wait(ObjectIdentifier(token), on: loop, privileged: false) { woken.add(1, ordering: .relaxed) }
        budget.cancelWait(ObjectIdentifier(token))
        budget.giveBack(20)
        loop.run()
        #expect(woken.load(ordering: .relaxed) == 0)
    }
}

@Suite struct RateLimitedLogTests {
    @Test func linesPastTheWindowsShareAreCountedAndReportedWithTheNext() async throws {
        let log = RateLimitedLog(linesPerWindow: 2, window: .milliseconds(200))
        var written: [Int] = []
        for _ in 0..<5 { log.record { written.append($0) } }
        #expect(written == [0, 0])
        try await Task.sleep(for: .milliseconds(250))
        log.record { written.append($0) }
        #expect(written == [0, 0, 3])
    }
}
