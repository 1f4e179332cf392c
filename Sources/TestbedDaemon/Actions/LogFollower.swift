import Foundation
import NIOCore
import NIOPosix
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Streams one action's log to one request, from a byte offset, at the pace
/// the client reads: a slow client only falls behind in the file, never holds
/// anyone up. Each read happens on the log pool, never on the event loop, and
/// only while the client's output has room; it is made ready to send there too:
/// in the `data` format, escaped straight into the frame's buffer
/// (`StreamDataFrame`); in the `lines` format, cut into lines (`LogChunker`).
///
/// A read takes `minChunkBytes` and doubles, up to `maxChunkBytes`, while the
/// client keeps up; it drops back when the client falls behind. The next
/// chunk is read while the last is on its way to the client, but sent only
/// once the client's output has room. A chunk is read while that output is
/// full only in the connection's one place for it (`claimReadAhead`), so a
/// connection holds at most two chunks beyond its output bound (one sent, one
/// ready) however many followers it has, and a follower holds no read buffer
/// while it waits. With `follow` it waits for new bytes (woken by the
/// `ActionLog`, no polling) until the action's outcome is recorded. Its state
/// belongs to the stream's event loop, or to the one read in flight, never to
/// both at once.
final class LogFollower: @unchecked Sendable {
    static let minChunkBytes = 64 * 1024
    /// With `timestamps` every read is this size: each line gains 25 bytes,
    /// so a chunk grows by at most 400 KiB (a chunk of empty lines).
    static let stampedChunkBytes = 16 * 1024
    static let maxChunkBytes = 256 * 1024

    private let log: ActionLog
    private let stream: RequestStream
    private let pool: NIOThreadPool
    private let follow: Bool
    /// Each line is sent after the time testbedd first saw it (`LogTimes`).
    private let timestamps: Bool
    private let format: StreamFormat
    private let onEnd: (_ nextOffset: UInt64, _ record: ActionRecord?) -> Void
    private let metrics: DaemonMetrics?
    /// The offset after the last byte sent: every read starts here.
    private var sentOffset: UInt64
    /// The next byte sent starts a line (it gets a time with `timestamps`).
    private var atLineStart = true
    private var chunkBytes = LogFollower.minChunkBytes
    private var fd: Int32 = -1
    /// The pending wake-up, forgotten if the client goes away first.
    private var waiting: UInt64?
    /// A read is on the pool: the file stays open until it returns.
    private var reading = false
    /// With `timestamps`: the log's times, opened by the first read (reads never overlap).
    private var times: LogTimes.Reader?
    /// A chunk read ahead, waiting for the client's output to have room.
    private var ready: Batch?
    /// It was read while the output was full, in the connection's one place for that.
    private var holdsReadAhead = false

    /// What one read found, ready to send.
    private struct Batch {
        enum Ending {
            /// More may be there at once.
            case more
            /// The end of the file, with the log's generation and outcome as they were before the read.
            case endOfFile(generation: UInt64, finished: ActionRecord?)
            case failed(Int32)
        }

        enum Payload {
            case lines([String])
            /// A `data` frame's payload, all but its id and number.
            case data(ByteBuffer)
        }

        var sentBytes = 0
        var endsAtLineStart = true
        var payload: Payload?
        var ending = Ending.more
    }

    /// `onEnd` gets the offset after the last byte sent and, when the action
    /// has finished, its record; it must end the stream.
    init(
        log: ActionLog, stream: RequestStream, pool: NIOThreadPool, offset: UInt64, follow: Bool, timestamps: Bool = false,
        metrics: DaemonMetrics? = nil, onEnd: @escaping (_ nextOffset: UInt64, _ record: ActionRecord?) -> Void
    ) {
        self.metrics = metrics
        metrics?.followers.increment()
        self.log = log
        self.stream = stream
        self.pool = pool
        self.sentOffset = offset
        self.follow = follow
        self.timestamps = timestamps
        if timestamps { chunkBytes = Self.stampedChunkBytes }
        self.format = stream.format
        self.onEnd = onEnd
    }

    deinit {
        closeFile()
        metrics?.followers.decrement()
    }

    func start() {
        guard stream.isActive else { return }
        fd = open(log.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            stream.fail(RPCError(.internalError, "cannot read the log \(log.path): \(String(cString: strerror(errno)))"))
            return
        }
        stream.onCancel = { [self] in
            releaseReadAhead()
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

    private func end(_ record: ActionRecord?) {
        closeFile()
        releaseReadAhead()
        onEnd(sentOffset, record)
    }

    private func fail(_ error: RPCError) {
        releaseReadAhead()
        stream.fail(error)
    }

    private func releaseReadAhead() {
        guard holdsReadAhead else { return }
        holdsReadAhead = false
        stream.releaseReadAhead()
    }

    /// Reads the next chunk; `deliver` sends it once the client's output has room.
    private func pump() {
        guard stream.isActive, !reading, ready == nil else { return }
        if !stream.isWritable {
            guard stream.claimReadAhead() else {
                stream.onWritable = { [self] in pump() }
                return
            }
            holdsReadAhead = true
        }
        reading = true
        let (offset, size, lineStart) = (sentOffset, chunkBytes, atLineStart)
        pool.runIfActive(eventLoop: stream.eventLoop) { self.read(at: offset, size: size, atLineStart: lineStart) }.whenComplete { [self] outcome in
            reading = false
            guard stream.isActive else { return closeFile() }
            switch outcome {
            case .failure:
                fail(RPCError(.requestCancelled, "testbedd is shutting down; follow the log again once it is back"))
            case .success(let batch):
                ready = batch
                deliver()
            }
        }
    }

    /// Sends the chunk read ahead once the client's output has room, and
    /// starts reading the one after it meanwhile.
    private func deliver() {
        guard stream.isActive, let batch = ready else { return }
        guard stream.isWritable else {
            // Fallen behind: smaller reads until it catches up.
            chunkBytes = timestamps ? Self.stampedChunkBytes : Self.minChunkBytes
            stream.onWritable = { [self] in deliver() }
            return
        }
        ready = nil
        releaseReadAhead()
        sentOffset += UInt64(batch.sentBytes)
        if batch.sentBytes > 0 {
            atLineStart = batch.endsAtLineStart
            metrics?.logBytes.increment(by: batch.sentBytes)
        }
        switch batch.payload {
        case .lines(let lines): stream.send(lines: lines)
        case .data(let frame): stream.send(dataFrame: frame)
        case nil: break
        }
        handle(batch.ending)
    }

    private func handle(_ ending: Batch.Ending) {
        switch ending {
        case .more:
            // A full read the client took at once: read more at a time.
            if stream.isWritable, !timestamps { chunkBytes = min(chunkBytes * 2, Self.maxChunkBytes) }
            pump()
        case .failed(let code):
            fail(RPCError(.internalError, "cannot read the log \(log.path): \(String(cString: strerror(code)))"))
        case .endOfFile(_, let finished?):
            end(finished)
        case .endOfFile where !follow:
            end(nil)
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

    /// Reads up to `size` bytes at `offset` and makes what may be sent of
    /// them ready to send. Runs on the pool, with a buffer only for its length.
    private func read(at offset: UInt64, size: Int, atLineStart: Bool) -> Batch {
        // Read both before reading the file: if the action had finished by
        // then, this read sees every byte it will ever have.
        let generation = log.generation
        let finished = log.finishedRecord
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { buffer.deallocate() }
        var n = 0
        repeat {
            n = pread(fd, buffer.baseAddress, size, off_t(offset))
        } while n < 0 && errno == EINTR
        var batch = Batch()
        guard n >= 0 else {
            batch.ending = .failed(errno)
            return batch
        }
        let atEnd = n < size
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<n])
        batch.sentBytes = LogChunker.sendableCount(in: bytes, logEnded: atEnd && finished != nil)
        if atEnd { batch.ending = .endOfFile(generation: generation, finished: finished) }
        guard batch.sentBytes > 0 else { return batch }
        let sendable = UnsafeRawBufferPointer(rebasing: bytes[..<batch.sentBytes])
        batch.endsAtLineStart = sendable.last == UInt8(ascii: "\n")
        guard timestamps else {
            batch.payload = payload(of: sendable)
            return batch
        }
        let times = self.times ?? LogTimes.Reader(logPath: log.path)
        self.times = times  // only this follower's one read in flight uses it
        times.refresh()
        let fallback = LogTimes.milliseconds(finished?.finishedAt ?? Date())
        let stamped = Self.stamp(sendable, at: offset, atLineStart: atLineStart, times: times, fallback: fallback)
        batch.payload = stamped.withUnsafeBytes { payload(of: $0) }
        return batch
    }

    /// `text` ready to send in the stream's format.
    private func payload(of text: UnsafeRawBufferPointer) -> Batch.Payload {
        switch format {
        case .lines:
            return .lines(LogChunker.lines(in: text))
        case .data:
            var frame = StreamDataFrame.start(allocator: Self.allocator, textBytes: text.count)
            JSONStringBytes.appendEscaped(text, to: &frame)
            return .data(frame)
        }
    }

    /// `bytes` (from `offset` of the log) with each line that starts in them
    /// after the time its first byte was seen, or `fallback` when none says.
    static func stamp(_ bytes: UnsafeRawBufferPointer, at offset: UInt64, atLineStart: Bool, times reader: LogTimes.Reader, fallback: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 16)
        var cached: (milliseconds: Int64, prefix: [UInt8])?
        var start = 0
        var lineStart = atLineStart
        while start < bytes.count {
            if lineStart {
                let milliseconds = reader.time(of: offset + UInt64(start)) ?? fallback
                if cached?.milliseconds != milliseconds { cached = (milliseconds, LogTimes.prefix(milliseconds)) }
                out += cached!.prefix
            }
            let end = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
                .map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) + 1 } ?? bytes.count
            out += bytes[start..<end]
            lineStart = bytes[end - 1] == UInt8(ascii: "\n")
            start = end
        }
        return out
    }

    private static let allocator = ByteBufferAllocator()
}
