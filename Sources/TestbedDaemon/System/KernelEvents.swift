import CTestbedShims
import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's one thread for kernel events that NIO has no public API to
/// watch: an epoll set of descriptors (the log files' inotify descriptor, each
/// running orchestrator's pidfd), each with a handler that runs on that thread
/// when it becomes readable. Handlers must be quick and must not block; the
/// most one does is note a live log's growth (`LogTimeRecorder`: an lstat and
/// a 16-byte pwrite to the state disk, at most 100 a second per log).
public final class KernelEvents: Sendable {
    /// The process's instance, started on first use; it lives as long as the process.
    public static let shared: KernelEvents = {
        do {
            return try KernelEvents()
        } catch {
            fatalError("\(error)")
        }
    }()

    private let epoll: Int32
    private let handlers = Locked<[UInt64: @Sendable () -> Void]>([:])
    private let nextToken = Locked<UInt64>(1)

    init() throws {
        epoll = testbed_epoll_create()
        guard epoll >= 0 else { throw LaunchError("cannot create an epoll set: \(String(cString: strerror(errno)))") }
        let epoll = self.epoll
        let handlers = self.handlers
        Thread.detachNewThread {
            var tokens = [UInt64](repeating: 0, count: 64)
            while true {
                let count = testbed_epoll_wait(epoll, &tokens, Int32(tokens.count), -1)
                guard count >= 0 else { return }
                for token in tokens.prefix(Int(count)) {
                    handlers.withLock { $0[token] }?()
                }
            }
        }
    }

    /// Runs `handler` on the events thread each time `fd` is readable, until
    /// `unwatch`. The caller keeps `fd` open until then.
    public func watch(_ fd: Int32, handler: @escaping @Sendable () -> Void) throws -> UInt64 {
        let token = nextToken.withLock { token in
            defer { token += 1 }
            return token
        }
        handlers.withLock { $0[token] = handler }
        guard testbed_epoll_add(epoll, fd, token) == 0 else {
            handlers.withLock { $0[token] = nil }
            throw LaunchError("cannot watch descriptor \(fd): \(String(cString: strerror(errno)))")
        }
        return token
    }

    /// Stops watching `fd` (registered as `token`); the caller may close it afterwards.
    public func unwatch(_ fd: Int32, token: UInt64) {
        handlers.withLock { $0[token] = nil }
        testbed_epoll_remove(epoll, fd)
    }
}
