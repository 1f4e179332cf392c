import NIOCore
import NIOPosix
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Streams one action's log to one request, from a byte offset, as lines, at
/// the pace the client reads: a slow client only falls behind in the file,
/// never holds anyone up. The file is read, and cut into lines, on the disk
/// pool, never on the event loop: one read of at most `chunksPerRead` chunks at
/// a time, started only while the client's output has room, so a follower
/// holds at most that much beyond the connection's output bound. With `follow`
/// it waits for new bytes (woken by the `ActionLog`, no polling) until the
/// action's outcome is recorded. Its state belongs to the stream's event loop,
/// or to the one read in flight, never to both at once.
final class LogFollower: @unchecked Sendable {
    static let chunkBytes = 64 * 1024
    /// Chunks one read on the disk pool takes before its lines are sent.
    static let chunksPerRead = 4

    private let log: ActionLog
    private let stream: RequestStream
    private let pool: NIOThreadPool
    private let follow: Bool
    private let onEnd: (_ nextOffset: UInt64, _ record: ActionRecord?) -> Void
    private var readOffset: UInt64
    private var splitter = LineSplitter()
    private var fd: Int32 = -1
    /// The one chunk buffer a follower has, allocated once for its whole life.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LogFollower.chunkBytes, alignment: 1)
    /// The pending wake-up, forgotten if the client goes away first.
    private var waiting: UInt64?
    /// A read is on the disk pool: the file stays open until it returns.
    private var reading = false

    /// What one read found.
    private struct Batch {
        enum Ending {
            /// More may be there at once.
            case more
            /// The end of the file, with the log's generation and outcome as they were before the last read.
            case endOfFile(generation: UInt64, finished: ActionRecord?)
            case failed(Int32)
        }

        var lines: [[String]] = []
        var ending = Ending.more
    }

    /// `onEnd` gets the offset after the last byte sent as a line and, when the
    /// action has finished, its record; it must end the stream.
    init(
        log: ActionLog, stream: RequestStream, pool: NIOThreadPool, offset: UInt64, follow: Bool,
        onEnd: @escaping (_ nextOffset: UInt64, _ record: ActionRecord?) -> Void
    ) {
        self.log = log
        self.stream = stream
        self.pool = pool
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
            // A read in flight still uses the file: it closes it when it returns.
            if !reading { closeFile() }
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

    /// Starts the next read once the client's output has room.
    private func pump() {
        guard stream.isActive else { return }
        guard stream.isWritable else {
            stream.onWritable = { [self] in pump() }
            return
        }
        reading = true
        pool.runIfActive(eventLoop: stream.eventLoop) { self.read() }.whenComplete { [self] outcome in
            reading = false
            guard stream.isActive else { return closeFile() }
            switch outcome {
            case .failure:
                stream.fail(RPCError(.requestCancelled, "testbedd is shutting down; follow the log again once it is back"))
            case .success(let batch):
                for lines in batch.lines { stream.send(lines: lines) }
                handle(batch.ending)
            }
        }
    }

    private func handle(_ ending: Batch.Ending) {
        switch ending {
        case .more:
            pump()
        case .failed(let code):
            stream.fail(RPCError(.internalError, "cannot read the log \(log.path): \(String(cString: strerror(code)))"))
        case .endOfFile(_, let finished?):
            if let last = splitter.flush() { stream.send(lines: [last]) }
            end(readOffset, finished)
        case .endOfFile where !follow:
            end(consumedOffset, nil)
        case .endOfFile(let generation, nil):
            let loop = stream.eventLoop
            waiting = log.whenChanged(after: generation) { [self] in
                loop.execute {
                    self.waiting = nil
                    self.pump()
                }
            }
        }
    }

    /// Reads up to `chunksPerRead` chunks and cuts them into lines. Runs on the disk pool.
    private func read() -> Batch {
        var batch = Batch()
        var chunks = 0
        while chunks < Self.chunksPerRead {
            // Read both before reading the file: if the action had finished by
            // then, this read sees every byte it will ever have.
            let generation = log.generation
            let finished = log.finishedRecord
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(readOffset))
            if n > 0 {
                readOffset += UInt64(n)
                let lines = splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                if !lines.isEmpty { batch.lines.append(lines) }
                chunks += 1
            } else if n < 0 {
                if errno == EINTR { continue }
                batch.ending = .failed(errno)
                return batch
            } else {
                batch.ending = .endOfFile(generation: generation, finished: finished)
                return batch
            }
        }
        return batch
    }
}
