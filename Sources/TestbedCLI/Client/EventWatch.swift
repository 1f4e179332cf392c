import TestbedProtocol

/// A watch of the daemon's events (`events.watch`), for commands that wait for
/// a change. Start it before reading the state it will be compared with, so
/// that no change can slip between the two. If the daemon drops it for reading
/// too slowly, it watches again from the last event it got.
struct EventWatch {
    private let session: DaemonSession
    private var iterator: RPCCallEvents.AsyncIterator
    /// Where to start again: the last event got, or where the daemon said.
    private(set) var resume: (since: UInt64, bootID: String)?

    private init(session: DaemonSession, iterator: RPCCallEvents.AsyncIterator) {
        self.session = session
        self.iterator = iterator
    }

    /// Starts watching. Requests on a connection are served in order, so any
    /// request sent after this one sees every change the watch does not.
    static func start(_ session: DaemonSession, since resume: (since: UInt64, bootID: String)? = nil) throws(CLIError) -> EventWatch {
        do {
            let call = try session.connection.start(
                RPCMethod.eventsWatch, params: EventsWatchParams(since: resume?.since, bootID: resume?.bootID))
            var watch = EventWatch(session: session, iterator: call.events.makeAsyncIterator())
            watch.resume = resume
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
                    resume = (change.seq, change.bootID)
                    return change
                }
                throw CLIError("testbedd ended the watch of its events", status: ExitStatus.unavailable)
            } catch let error as RPCError where error.code == .busy {
                // Dropped for reading too slowly: start again where the daemon says.
                guard let since = error.data?["since"]?.intValue, let bootID = error.data?["boot_id"]?.stringValue else {
                    throw DaemonSession.failure(error)
                }
                self = try Self.start(session, since: (UInt64(since), bootID))
            } catch let error as CLIError {
                throw error
            } catch {
                throw DaemonSession.failure(error)
            }
        }
    }
}
