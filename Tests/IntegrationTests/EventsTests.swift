import Foundation
import Testing
import TestbedProtocol

/// `events.watch` through a real daemon: what a deployment's life announces
/// and in what order, catching up with `since`, the refusals, a reader on the
/// read-only socket, and `testbedctl events`.
@Suite struct EventsTests {
    /// Collects one watch's events as they arrive.
    actor Watch {
        private(set) var events: [DaemonEvent] = []
        private(set) var ending: (any Error)?
        private var task: Task<Void, Never>?
        let call: RPCCall

        init(_ connection: RPCConnection, _ params: EventsWatchParams = EventsWatchParams()) throws {
            call = try connection.start(RPCMethod.eventsWatch, params: params)
        }

        func start() {
            let events = call.events
            task = Task {
                do {
                    for try await event in events {
                        if case .chunk(let chunk) = event, case .event(let change) = chunk.content { self.add(change) }
                    }
                } catch {
                    self.end(error)
                }
            }
        }

        private func add(_ event: DaemonEvent) { events.append(event) }
        private func end(_ error: any Error) { ending = error }

        /// Waits until `condition` holds of the events so far.
        func wait(for what: String, _ condition: @Sendable ([DaemonEvent]) -> Bool) async throws -> [DaemonEvent] {
            let deadline = ContinuousClock.now + .seconds(20)
            while !condition(events) {
                guard ContinuousClock.now < deadline else {
                    throw ProcessRunError("timed out waiting for \(what); got \(events.map(\.kind)), ended by \(String(describing: ending))")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return events
        }
    }

    static func watch(_ connection: RPCConnection, _ params: EventsWatchParams = EventsWatchParams()) async throws -> Watch {
        let watch = try Watch(connection, params)
        await watch.start()
        return watch
    }

    @Test func aDeploymentsLifeIsAnnouncedInTheOrderItHappened() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let watcher = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let watch = try await Self.watch(watcher)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        // The watch is registered once its connection has answered something after it.
        let _: EmptyResult = try await watcher.call(RPCMethod.ping)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        let up = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        let down = try await client.follow(
            RPCMethod.deploymentDown.name, params: ActionNameParams(name: "web", follow: true), as: ActionOutcome.self)
        let _: EmptyResult = try await client.call(RPCMethod.deploymentDestroy, params: NameParams(name: "web"))

        let events = try await watch.wait(for: "the destroy is announced") { $0.contains { $0.kind == .deploymentDestroyed } }
        #expect(events.map(\.kind) == [
            .deploymentCreated, .actionStarted, .deploymentState, .actionEnded, .deploymentState,
            .actionStarted, .deploymentState, .actionEnded, .deploymentState, .deploymentDestroyed,
        ])
        #expect(events.map(\.seq) == Array(1...UInt64(events.count)))
        #expect(Set(events.map(\.bootID)).count == 1)
        #expect(events.allSatisfy { $0.deployment == "web" && $0.owner == 0 })
        #expect(events[1].actionID == up.result.actionID && events[1].command?.word == "up" && events[1].startedBy == 0)
        #expect(events[2].previousState == .down && events[2].state == .running)
        #expect(events[3].outcome == up.result)
        #expect(events[4].previousState == .running && events[4].state == .up)
        #expect(events[7].actionID == down.result.actionID && events[7].outcome == down.result)
        #expect(events[8].state == .down)
        #expect(events[9].previousState == .down)
        await watcher.close()
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aWatcherComingBackWithSinceGetsWhatItMissedAndNothingTwice() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--events-kept", "3"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let first = try await Self.watch(client)
        let _: EmptyResult = try await client.call(RPCMethod.ping)
        _ = try await Fixtures.deployment("a", in: sandbox, client: client)
        let seen = try await first.wait(for: "a's creation") { $0.count == 1 }
        try await client.cancel(first.call.id)
        _ = try await Fixtures.deployment("b", in: sandbox, client: client)
        _ = try await Fixtures.deployment("c", in: sandbox, client: client)

        let again = try await Self.watch(client, EventsWatchParams(since: seen[0].seq, bootID: seen[0].bootID))
        let _: EmptyResult = try await client.call(RPCMethod.ping)
        _ = try await Fixtures.deployment("d", in: sandbox, client: client)
        let caught = try await again.wait(for: "b, c and d") { $0.count == 3 }
        #expect(caught.map(\.deployment) == ["b", "c", "d"])
        #expect(caught.map(\.seq) == [2, 3, 4])

        // Only the last three are kept: since 0 now asks for more than that.
        let refusals: [(EventsWatchParams, String, String)] = [
            (EventsWatchParams(since: 0, bootID: seen[0].bootID), "since", "are no longer kept (the oldest kept is 2)"),
            (EventsWatchParams(since: 1, bootID: "another-run"), "boot_id", "were of another run of testbedd"),
            (EventsWatchParams(since: 99, bootID: seen[0].bootID), "since", "there is no event 99 yet (the last is 4)"),
            (EventsWatchParams(since: UInt64.max, bootID: seen[0].bootID), "since", "there is no event 18446744073709551615 yet"),
            (EventsWatchParams(since: 1), "boot_id", "give since and boot_id together"),
        ]
        for (params, field, words) in refusals {
            await #expect {
                for try await _ in try client.start(RPCMethod.eventsWatch, params: params).events {}
            } throws: { error in
                let error = try #require(error as? RPCError)
                return error.code == .invalidParams && error.field == field && error.message.contains(words)
            }
        }
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aWatcherThatStopsReadingIsDroppedWithWhereToStartAgain() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, store: "sqlite", extra: ["--connection-output-bytes", "4096"])
        let stalled = try RawClient(path: sandbox.socket)
        try stalled.sendFrame(#"{"jsonrpc":"2.0","id":1,"method":"events.watch"}"#)
        let _ = try stalled.call("rpc.ping", id: 2)
        // Far more events than the socket's buffers and the 4 KiB bound hold, while it does not read.
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let folder = try sandbox.project("many")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4000 {
                if i >= 64 { try await group.next() }
                group.addTask {
                    let _: Deployment = try await client.call(
                        RPCMethod.deploymentCreate, params: CreateParams(name: "d\(i)", projectLocation: folder))
                }
            }
            try await group.waitForAll()
        }
        var seqs: [Int] = []
        var refusal: [String: Any]?
        while refusal == nil, let frame = try stalled.readFrame() {
            if let params = frame["params"] as? [String: Any], let event = params["event"] as? [String: Any] {
                seqs.append(event["seq"] as! Int)
            } else if frame["error"] != nil {
                refusal = frame
            }
        }
        let error = try #require(refusal?["error"] as? [String: Any])
        #expect(refusal?["id"] as? Int == 1)
        #expect(error["code"] as? Int == -32005)
        let last = try #require(seqs.last)
        #expect((error["message"] as? String)?.contains("read too slowly and was dropped; watch again since \(last)") == true)
        #expect((error["data"] as? [String: Any])?["since"] as? Int == last)
        #expect(seqs == Array(1...last))
        #expect(last < 4000)
        stalled.close()
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aReaderOnTheReadOnlySocketWatchesAndTheCLIPrintsJSONLines() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let reader = try await RPCConnection.connect(unixSocketPath: sandbox.path + "/d-ro.sock")
        let hello: HelloResult = try await reader.call(RPCMethod.hello, params: HelloParams())
        #expect(hello.identity.role == "reader")
        let watch = try await Self.watch(reader)
        let _: EmptyResult = try await reader.call(RPCMethod.ping)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        _ = try await Fixtures.deployment("db", in: sandbox, client: client)
        let events = try await watch.wait(for: "the reader sees both") { $0.count == 2 }
        #expect(events.map(\.deployment) == ["web", "db"])

        // The CLI, from the first event on: what it missed comes first, as JSON lines.
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: Binaries.testbedctl)
        cli.arguments = ["events", "--json", "--since", "1", "--boot-id", events[0].bootID, "--socket", sandbox.socket]
        let output = Pipe()
        let text = Locked("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        cli.standardOutput = output
        try cli.run()
        try await eventually("the CLI prints db's creation") { text.withLock { $0.contains(#""deployment":"db""#) } }
        _ = try await Fixtures.deployment("cache", in: sandbox, client: client)
        try await eventually("the CLI prints cache's creation") { text.withLock { $0.contains(#""deployment":"cache""#) } }
        cli.interrupt()
        cli.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        let lines = text.withLock { $0 }.split(separator: "\n")
        let printed = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(printed.map { $0["deployment"] as? String } == ["db", "cache"])
        #expect(printed.map { $0["seq"] as? Int } == [2, 3])
        #expect(cli.terminationReason == .uncaughtSignal && cli.terminationStatus == SIGINT)
        await reader.close()
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
