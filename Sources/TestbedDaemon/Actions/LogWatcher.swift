import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Tells each live `ActionLog` the moment its file is written (inotify), so
/// followers get new lines without polling, whoever writes the file: the
/// orchestrator, the daemon, or a process started before a daemon restart.
/// Its descriptor is watched by `KernelEvents`, and closed with the watcher.
public final class LogWatcher: Sendable {
    private let fd: Int32
    private let token: UInt64
    private let events: KernelEvents
    private let watches: Locked<[Int32: ActionLog]>

    private static let modify: UInt32 = 0x0000_0002  // IN_MODIFY
    private static let closeWrite: UInt32 = 0x0000_0008  // IN_CLOSE_WRITE

    public init(events: KernelEvents = .shared) throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw LaunchError("cannot start watching log files (inotify): \(String(cString: strerror(errno)))") }
        let watches = Locked<[Int32: ActionLog]>([:])
        do {
            token = try events.watch(fd) { Self.readEvents(fd, watches) }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.events = events
        self.watches = watches
    }

    deinit {
        events.unwatch(fd, token: token)
        close(fd)
    }

    /// Starts telling `log` when its file is written; returns the watch to pass to `stop`.
    public func watch(_ log: ActionLog) throws -> Int32 {
        let wd = inotify_add_watch(fd, log.path, Self.modify | Self.closeWrite)
        guard wd >= 0 else { throw LaunchError("cannot watch \(log.path): \(String(cString: strerror(errno)))") }
        watches.withLock { $0[wd] = log }
        return wd
    }

    public func stop(_ wd: Int32) {
        guard watches.withLock({ $0.removeValue(forKey: wd) }) != nil else { return }
        inotify_rm_watch(fd, wd)
    }

    /// Reads every pending event (the descriptor does not block) and wakes their logs.
    private static func readEvents(_ fd: Int32, _ watches: Locked<[Int32: ActionLog]>) {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, capacity)
            if n < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN: nothing more for now
            }
            var offset = 0
            var woken: Set<Int32> = []
            while offset + 16 <= n {
                let wd = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let nameLength = buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                woken.insert(wd)
                offset += 16 + Int(nameLength)
            }
            // wd -1 is IN_Q_OVERFLOW: events were lost, so wake every log.
            let logs = watches.withLock { watches in
                woken.contains(-1) ? Array(watches.values) : woken.compactMap { watches[$0] }
            }
            for log in logs { log.changed() }
        }
    }
}
