import NIOCore
import Synchronization
import TestbedProtocol

/// The output queued for all connections together: answers and stream frames
/// written but not yet taken by their clients. Unprivileged connections are
/// served while it is under `limit`; a connection that finds no room waits to
/// be called back when some is given back. uid 0 and admins are counted but
/// never held by it, so a crowd of clients that never read cannot lock them
/// out: their connections are few (`ConnectionLimits.privilegedConnections`
/// places are theirs) and each is held to its own bound.
final class OutputBudget: Sendable {
    /// The budget of unprivileged connections, in bytes.
    let limit: Int

    private struct Waiter {
        let eventLoop: any EventLoop
        let resume: @Sendable () -> Void
    }

    /// Bytes queued: an atomic, as every answer adds and removes its size.
    private let usedBytes = Atomic<Int>(0)
    /// Connections waiting for room; the count lets a give-back skip the lock when none waits.
    private let waiters = Locked<[ObjectIdentifier: Waiter]>([:])
    private let waiterCount = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Bytes queued now.
    var used: Int { usedBytes.load(ordering: .relaxed) }

    /// True while a connection of this kind may queue more.
    func hasRoom(privileged: Bool) -> Bool {
        privileged || usedBytes.load(ordering: .relaxed) < limit
    }

    /// `bytes` more are queued.
    func take(_ bytes: Int) {
        usedBytes.add(bytes, ordering: .relaxed)
    }

    /// `bytes` were written to their client (or dropped with it): wakes the
    /// waiting connections once there is room again.
    func giveBack(_ bytes: Int) {
        // Sequentially consistent with `wait`: either this sees the waiter, or the
        // waiter sees the room this gives back.
        let now = usedBytes.subtract(bytes, ordering: .sequentiallyConsistent).newValue
        guard now < limit, waiterCount.load(ordering: .sequentiallyConsistent) > 0 else { return }
        let woken: [Waiter] = waiters.withLock { waiters in
            defer {
                waiters.removeAll(keepingCapacity: true)
                waiterCount.store(0, ordering: .sequentiallyConsistent)
            }
            return Array(waiters.values)
        }
        for waiter in woken { waiter.eventLoop.execute(waiter.resume) }
    }

    /// Calls `resume` on `eventLoop` when room is given back; at once if there is some already.
    func wait(_ id: ObjectIdentifier, on eventLoop: any EventLoop, privileged: Bool, resume: @escaping @Sendable () -> Void) {
        let roomNow = privileged || waiters.withLock { waiters in
            waiters[id] = Waiter(eventLoop: eventLoop, resume: resume)
            waiterCount.store(waiters.count, ordering: .sequentiallyConsistent)
            guard usedBytes.load(ordering: .sequentiallyConsistent) < limit else { return false }
            waiters[id] = nil
            waiterCount.store(waiters.count, ordering: .sequentiallyConsistent)
            return true
        }
        if roomNow { eventLoop.execute(resume) }
    }

    /// Forgets a connection that closed while waiting.
    func cancelWait(_ id: ObjectIdentifier) {
        waiters.withLock { waiters in
            guard waiters.removeValue(forKey: id) != nil else { return }
            waiterCount.store(waiters.count, ordering: .sequentiallyConsistent)
        }
    }
}
