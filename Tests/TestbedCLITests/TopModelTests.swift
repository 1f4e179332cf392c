import FoundationEssentials
import Testing
import TestbedProtocol
@testable import TestbedCLI

/// `testbedctl top`'s model: a snapshot, then events applied in order, with
/// the events the snapshot already holds changing nothing.
@Suite struct TopModelTests {
    static let t0 = Date(timeIntervalSince1970: 1_764_506_000)

    static func deployment(_ name: String, _ state: DeploymentState = .down, last: String? = nil) -> Deployment {
        Deployment(name: name, projectLocation: "/p/\(name)", state: state, lastActionUUID: last, createdAt: t0, ownerUID: 1000)
    }

    static func record(_ id: String, of name: String, finished: Bool, cancelled: Bool = false) -> ActionRecord {
        var record = ActionRecord(
            id: id, deployment: name, command: .up(DeploymentCommand.UpOptions()), logPath: "/l", executionTime: t0, startedBy: 1000)
        if finished {
            record.finishedAt = t0.addingTimeInterval(3.5)
            record.errorCode = cancelled ? nil : 0
            record.cancelledBy = cancelled ? 0 : nil
            record.signal = cancelled ? 15 : nil
            record.endState = cancelled ? .failed(.up(DeploymentCommand.UpOptions())) : .up
        }
        return record
    }

    static func event(_ seq: UInt64, _ kind: DaemonEvent.Kind, _ name: String?, at seconds: Double = 0, _ fill: (inout DaemonEvent) -> Void = { _ in }) -> DaemonEvent {
        var event = DaemonEvent(seq: seq, bootID: "b", time: t0.addingTimeInterval(seconds), kind: kind)
        event.deployment = name
        fill(&event)
        return event
    }

    @Test func theSnapshotGivesRowsSortedByNameWithTheirLastActions() {
        let model = TopModel(
            deployments: [Self.deployment("web", .up, last: "a1"), Self.deployment("db", .running, last: "a2"), Self.deployment("Zed")],
            lastActions: ["web": Self.record("a1", of: "web", finished: true), "db": Self.record("a2", of: "db", finished: false)],
            cluster: nil, lastEvent: 7)
        #expect(model.names == ["Zed", "db", "web"])
        #expect(model.deployments["web"]?.lastAction?.result == .succeeded)
        #expect(model.deployments["web"]?.lastAction?.duration == 3.5)
        #expect(model.running.map(\.deployment) == ["db"])
        #expect(model.deployments["Zed"]?.lastAction == nil)
    }

    @Test func eventsCreateChangeRunEndAndDestroyRows() {
        var model = TopModel(deployments: [Self.deployment("web")], lastActions: [:], cluster: nil, lastEvent: 3)
        model.apply(Self.event(4, .deploymentCreated, "api") { $0.state = .down; $0.owner = 42 })
        #expect(model.names == ["api", "web"] && model.deployments["api"]?.owner == 42)

        model.apply(Self.event(5, .actionStarted, "api", at: 10) { $0.actionID = "x"; $0.command = .down })
        model.apply(Self.event(6, .deploymentState, "api", at: 10) { $0.previousState = .down; $0.state = .running })
        #expect(model.deployments["api"]?.state == .running)
        #expect(model.running.map(\.id) == ["x"] && model.running.first?.verb == "down")

        model.noteLastLine("removing switches", of: "x", deployment: "api")
        #expect(model.running.first?.lastLine == "removing switches")
        model.noteLastLine("of another action", of: "y", deployment: "api")
        #expect(model.running.first?.lastLine == "removing switches")

        model.apply(Self.event(7, .actionEnded, "api", at: 14) {
            $0.actionID = "x"
            $0.command = .down
            $0.durationSeconds = 4
            var record = Self.record("x", of: "api", finished: true, cancelled: true)
            record.command = .down
            $0.outcome = ActionOutcome(record)
        })
        model.apply(Self.event(8, .deploymentState, "api", at: 14) { $0.state = .failed(.down) })
        #expect(model.running.isEmpty)
        #expect(model.deployments["api"]?.lastAction?.result == .cancelled)
        #expect(model.deployments["api"]?.lastAction?.duration == 4)
        #expect(model.deployments["api"]?.state == .failed(.down))

        model.apply(Self.event(9, .deploymentDestroyed, "api"))
        #expect(model.names == ["web"] && model.deployments["api"] == nil)
    }

    /// The watch starts before the snapshot is read: events up to the
    /// snapshot's are skipped, and later ones the snapshot already shows
    /// change nothing in the end.
    @Test func eventsTheSnapshotAlreadyHoldsChangeNothing() {
        let snapshot = TopModel(
            deployments: [Self.deployment("web", .up, last: "a1")],
            lastActions: ["web": Self.record("a1", of: "web", finished: true)], cluster: nil, lastEvent: 10)
        var model = snapshot
        // Before the snapshot: skipped.
        model.apply(Self.event(9, .deploymentDestroyed, "web"))
        #expect(model.names == ["web"])
        // After it, but already in it: the action that finished is not made to run again.
        model.apply(Self.event(11, .actionStarted, "web") { $0.actionID = "a1"; $0.command = .up(DeploymentCommand.UpOptions()) })
        #expect(model.running.isEmpty)
        model.apply(Self.event(12, .deploymentState, "web") { $0.state = .running })
        model.apply(Self.event(13, .actionEnded, "web", at: 3.5) {
            $0.actionID = "a1"
            $0.command = .up(DeploymentCommand.UpOptions())
            $0.durationSeconds = 3.5
            $0.outcome = ActionOutcome(Self.record("a1", of: "web", finished: true))
        })
        model.apply(Self.event(14, .deploymentState, "web") { $0.state = .up })
        #expect(model.deployments == snapshot.deployments)
    }

    @Test func clusterEventsKeepTheMembersUpToDate() {
        let cluster = ClusterStatus(
            mode: "main", chassis: "main", bridge: "0.0.0.0:3356",
            members: [MemberStatus(chassis: "main", address: "", lastSeen: nil, misses: 0, state: "self")], main: nil, problems: [])
        var model = TopModel(deployments: [], lastActions: [:], cluster: cluster, lastEvent: 0)
        model.apply(Self.event(1, .clusterJoined, nil) { $0.chassis = "node1" })
        model.apply(Self.event(2, .clusterHealth, nil) { $0.chassis = "node1"; $0.healthy = false })
        #expect(model.members?.map(\.chassis) == ["main", "node1"])
        #expect(model.members?.last?.state == "missing")
        model.apply(Self.event(3, .clusterEvicted, nil) { $0.chassis = "node1" })
        #expect(model.members?.map(\.chassis) == ["main"])
        // A daemon alone, with no bridge, has no cluster to show.
        let alone = TopModel(
            deployments: [], lastActions: [:],
            cluster: ClusterStatus(mode: "main", chassis: nil, bridge: nil, members: [], main: nil, problems: []), lastEvent: 0)
        #expect(alone.members == nil)
    }

    @Test func figuresCountRequestsPerSecondFromTheCounter() {
        let metrics1 = """
            # TYPE testbed_requests_total counter
            testbed_requests_total{method="rpc.ping",outcome="ok"} 10
            testbed_requests_total{method="server.status",outcome="ok"} 5
            process_resident_memory_bytes 4194304
            """
        let metrics2 = metrics1.replacing("} 10", with: "} 40")
        var status = ServerStatus(
            version: "0.1.0", pid: 7, uptimeSeconds: 100, openConnections: 3, deployments: 0, store: "file", stateDir: "/s",
            socketActivated: false)
        let first = DaemonFigures(status: status, metrics: metrics1, previous: nil)
        #expect(first.requestsPerSecond == nil && first.memoryBytes == 4_194_304 && first.connections == 3)
        status.uptimeSeconds = 102
        let second = DaemonFigures(status: status, metrics: metrics2, previous: first)
        #expect(second.requestsPerSecond == 15)
        // Another daemon run: no rate across it.
        status.pid = 8
        #expect(DaemonFigures(status: status, metrics: metrics2, previous: first).requestsPerSecond == nil)
        #expect(MetricsText.sum(of: "testbed_requests", in: metrics1) == nil)
    }

    @Test func theLastLogLineIsTheLastWithTextMadeSafe() {
        #expect(LastLogLine.of(Array("one\ntwo\n".utf8)) == "two")
        #expect(LastLogLine.of(Array("one\ntwo\n\n  \r\n".utf8)) == "two")
        #expect(LastLogLine.of(Array("a\u{1B}[31mred\u{1B}[0m\tend\r\n".utf8)) == "ared end")
        #expect(LastLogLine.of(Array("\n\n".utf8)) == nil)
        #expect(LastLogLine.of(Array("piece of a long line".utf8)) == "piece of a long line")
    }

    @Test func theFollowedLogKeepsWholeLines() {
        var log = LogView(action: TopAction(id: "x", deployment: "web", command: .down, started: Self.t0))
        log.append(Array("first\nsec".utf8))
        log.append(Array("ond\nthi".utf8))
        #expect(log.lines == ["first", "second"])
        log.finish("down of web succeeded")
        #expect(log.lines == ["first", "second", "thi"] && log.ending == "down of web succeeded")
        for i in 0..<3000 { log.append(Array("line \(i)\n".utf8)) }
        #expect(log.lines.count <= LogView.keptLines + LogView.keptLines / 4 && log.lines.last == "line 2999")
    }
}
