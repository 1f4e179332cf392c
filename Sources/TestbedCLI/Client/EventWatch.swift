import TestbedProtocol

/// A watch of the daemon's events (`events.watch`), for commands that wait for
/// a change. Start it before reading the state it will be compared with, so
/// that no change can slip between the two. If the daemon drops it for reading
/// too slowly, it watches again from the last event it got.
struct EventWatch {
    private let session: DaemonSession
    private var iterator: RPCCallEvents.AsyncIterator
    private var last: DaemonEvent?

    private init(session: DaemonSession, iterator: RPCCallEvents.AsyncIterator) {
        self.session = session
        self.iterator = iterator
    }

    /// Starts watching. Requests on a connection are served in order, so any
    /// request sent after this one sees every change the watch does not.
    static func start(_ session: DaemonSession, since last: DaemonEvent? = nil) throws(CLIError) -> EventWatch {
        do {
            let call = try session.connection.start(
                RPCMethod.eventsWatch, params: EventsWatchParams(since: last?.seq, bootID: last?.bootID))
            var watch = EventWatch(session: session, iterator: call.events.makeAsyncIterator())
            watch.last = last
            return watch
        } catch {
            throw DaemonSession.failure(error)
        }
    }

    /// The next event.
    mutating func next() async throws(CLIError) -> DaemonEvent {
        while true {
            do {
                while let event = try await iterator.next() {
                    guard case .chunk(let chunk) = event, case .event(let change) = chunk.content else { continue }
                    last = change
                    return change
                }
                throw CLIError("testbedd ended the watch of its events", status: ExitStatus.unavailable)
            } catch let error as RPCError where error.code == .busy {
                self = try Self.start(session, since: last)
            } catch let error as CLIError {
                throw error
            } catch {
                throw DaemonSession.failure(error)
            }
        }
    }
}
