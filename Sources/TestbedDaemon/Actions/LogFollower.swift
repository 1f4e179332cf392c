import NIOCore
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Streams one action's log to one request, from a byte offset, as lines, at
/// the pace the client reads: it never holds more than one chunk, and a slow
/// client only falls behind in the file, never holds anyone up. With `follow`
/// it waits for new bytes (woken by the `ActionLog`, no polling) until the
/// action's outcome is recorded. Confined to the stream's event loop.
final class LogFollower: @unchecked Sendable {
    static let chunkBytes = 64 * 1024
    /// Chunks read per turn on the event loop before letting other work run.
    static let chunksPerTurn = 8

    private let log: ActionLog
    private let stream: RequestStream
    private let follow: Bool
    private let onEnd: (_ nextOffset: UInt64, _ record: ActionRecord?) -> Void
    private var readOffset: UInt64
    private var splitter = LineSplitter()
    private var fd: Int32 = -1
    /// The one chunk a follower holds, allocated once for its whole life.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LogFollower.chunkBytes, alignment: 1)
    /// The pending wake-up, forgotten if the client goes away first.
    private var waiting: UInt64?

    /// `onEnd` gets the offset after the last byte sent as a line and, when the
    /// action has finished, its record; it must end the stream.
    init(
        log: ActionLog, stream: RequestStream, offset: UInt64, follow: Bool,
        onEnd: @escaping (_ nextOffset: UInt64, _ record: ActionRecord?) -> Void
    ) {
        self.log = log
        self.stream = stream
        self.readOffset = offset
        self.follow = follow
        self.onEnd = onEnd
    }

    deinit {
        closeFile()
        buffer.deallocate()
    }

    /// Bytes already turned into lines (sent or about to be).
    private var consumedOffset: UInt64 { readOffset - UInt64(splitter.pendingCount) }

    func start() {
        guard stream.isActive else { return }
        fd = open(log.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            stream.fail(RPCError(.internalError, "cannot read the log \(log.path): \(String(cString: strerror(errno)))"))
            return
        }
        stream.onCancel = { [self] in
            if let waiting { log.forget(waiting) }
            closeFile()
        }
        pump()
    }

    private func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func end(_ nextOffset: UInt64, _ record: ActionRecord?) {
        closeFile()
        onEnd(nextOffset, record)
    }

    private func pump() {
        guard stream.isActive else { return }
        for _ in 0..<Self.chunksPerTurn {
            guard stream.isWritable else {
                stream.onWritable = { [self] in pump() }
                return
            }
            // Read both before reading the file: if the action had finished by
            // then, this read sees every byte it will ever have.
            let generation = log.generation
            let finished = log.finishedRecord
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(readOffset))
            if n > 0 {
                readOffset += UInt64(n)
                stream.send(lines: splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n])))
                continue
            }
            if n < 0 {
                if errno == EINTR { continue }
                stream.fail(RPCError(.internalError, "cannot read the log \(log.path): \(String(cString: strerror(errno)))"))
                return
            }
            // At the end of the file.
            if let finished {
                if let last = splitter.flush() { stream.send(lines: [last]) }
                end(readOffset, finished)
            } else if !follow {
                end(consumedOffset, nil)
            } else {
                let loop = stream.eventLoop
                waiting = log.whenChanged(after: generation) { [self] in
                    loop.execute {
                        self.waiting = nil
                        self.pump()
                    }
                }
            }
            return
        }
        stream.eventLoop.execute { [self] in pump() }
    }
}
