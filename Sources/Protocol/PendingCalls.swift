import FoundationEssentials
import NIOCore

/// The calls in flight on one connection, shared by the caller's side and the
/// channel's inbound handler.
final class PendingCalls: Sendable {
    private struct State {
        var nextID: Int64 = 1
        var open: [RequestID: AsyncThrowingStream<RPCCallEvent, any Error>.Continuation] = [:]
        var closed = false
        /// The last error the daemon sent without an id, reported if the connection then closes.
        var refusal: RPCError?
        /// Stream chunks delivered but not yet read by their caller.
        var unread = 0
        var paused = false
        var channel: (any Channel)?
    }

    /// Past this many unread chunks the connection stops reading; below the low mark it reads again.
    static let highWater = 256
    static let lowWater = 64

    private let state = Locked(State())

    func attach(_ channel: any Channel) {
        state.withLock { $0.channel = channel }
    }

    func open() throws -> (RequestID, AsyncThrowingStream<RPCCallEvent, any Error>) {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: RPCCallEvent.self)
        let opened: Result<RequestID, any Error> = state.withLock { state in
            // A daemon that refused the connection may have said why and closed it
            // before the first call was even made: that reason, not "closed".
            guard !state.closed else { return .failure(state.refusal ?? RPCConnectionError.closed) }
            let id = RequestID.int(state.nextID)
            state.nextID += 1
            state.open[id] = continuation
            return .success(id)
        }
        return (try opened.get(), stream)
    }

    func deliver(_ chunk: StreamChunk) {
        let (continuation, pause) = state.withLock { state -> (AsyncThrowingStream<RPCCallEvent, any Error>.Continuation?, (any Channel)?) in
            guard let continuation = state.open[chunk.id] else { return (nil, nil) }
            state.unread += 1
            guard state.unread >= Self.highWater, !state.paused else { return (continuation, nil) }
            state.paused = true
            return (continuation, state.channel)
        }
        continuation?.yield(.chunk(chunk))
        pause?.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
    }

    /// A caller read a chunk; reading resumes once few are left unread.
    func consumedChunk() {
        let resume = state.withLock { state -> (any Channel)? in
            state.unread = max(0, state.unread - 1)
            guard state.paused, state.unread <= Self.lowWater else { return nil }
            state.paused = false
            return state.channel
        }
        resume?.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
    }

    func finish(_ id: RequestID, with outcome: Result<Data, any Error>) {
        guard let continuation = state.withLock({ $0.open.removeValue(forKey: id) }) else { return }
        switch outcome {
        case .success(let payload):
            continuation.yield(.result(payload))
            continuation.finish()
        case .failure(let error):
            continuation.finish(throwing: error)
        }
    }

    func noteRefusal(_ error: RPCError) {
        state.withLock { $0.refusal = error }
    }

    /// Fails every call in flight with the daemon's last refusal if it sent
    /// one (it says why the connection ends, better than the reset that may
    /// follow it), else with `error`, else with `RPCConnectionError.closed`.
    func failAll(_ error: (any Error)?) {
        let (open, reason) = state.withLock { state in
            state.closed = true
            defer { state.open.removeAll() }
            return (Array(state.open.values), state.refusal ?? error ?? RPCConnectionError.closed)
        }
        for continuation in open { continuation.finish(throwing: reason) }
    }
}
