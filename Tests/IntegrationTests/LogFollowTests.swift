import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Followers of action logs: early and late, several at once, slow ones, big logs.
@Suite struct LogFollowTests {
    @Test(arguments: StreamFormat.allCases)
    func earlyAndLateFollowersGetIdenticalCompleteLogsInOrder(format: StreamFormat) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket, streamFormat: format)
        _ = try await Fixtures.deployment("web", behaviour: "slow 30 0.01", in: sandbox, client: client)

        let early = Task { try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self) }
        // A second follower attaches once the action is well under way.
        var id: String?
        while id == nil {
            let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
            id = deployment.lastActionUUID
            try await Task.sleep(for: .milliseconds(5))
        }
        let other = try await RPCConnection.connect(unixSocketPath: sandbox.socket, streamFormat: format)
        try await eventually("the action has written its first lines") {
            let sofar = try await other.follow(RPCMethod.actionLogs.name, params: ActionLogsParams(id: id!), as: ActionLogsResult.self)
            return sofar.lines.contains("line 1")
        }
        let late = try await other.follow(RPCMethod.actionLogs.name, params: ActionLogsParams(id: id!, follow: true), as: ActionLogsResult.self)
        let first = try await early.value
        // After the end, a reader without follow gets the same.
        let after = try await other.follow(RPCMethod.actionLogs.name, params: ActionLogsParams(id: id!), as: ActionLogsResult.self)

        let expected = try String(contentsOfFile: first.result.logPath, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(expected.count == 33)
        #expect(expected.suffix(30) == (1...30).map { "line \($0)" }[...])
        #expect(first.lines == expected)
        #expect(late.lines == expected)
        #expect(after.lines == expected)
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: first.result.logPath)))
        #expect(first.text == file && late.text == file && after.text == file)
        for followed in [first.seqs, late.seqs, after.seqs] { #expect(followed == Array(0..<followed.count)) }
        #expect(late.result.finished && after.result.finished)
        #expect(late.result.action.endState == .up)
        #expect(late.result.nextOffset == UInt64(expected.joined(separator: "\n").utf8.count + 1))
        await client.close()
        await other.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: StreamFormat.allCases)
    func offsetsResumeWhereTheLastReadStopped(format: StreamFormat) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket, streamFormat: format)
        _ = try await Fixtures.deployment("web", behaviour: "partial", in: sandbox, client: client)
        let up = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        // The last line had no newline; it still arrives, once the action has ended.
        #expect(up.lines.suffix(2) == ["complete line", "no newline at the end"])
        let all = try await client.follow(RPCMethod.actionLogs.name, params: ActionLogsParams(id: up.result.actionID), as: ActionLogsResult.self)
        let size = UInt64(try FileManager.default.attributesOfItem(atPath: up.result.logPath)[.size] as! Int)
        #expect(all.result.nextOffset == size)
        let skip = UInt64(all.lines.dropLast(2).joined(separator: "\n").utf8.count + 1)
        let tail = try await client.follow(
            RPCMethod.actionLogs.name, params: ActionLogsParams(id: up.result.actionID, offset: skip), as: ActionLogsResult.self)
        #expect(tail.lines == ["complete line", "no newline at the end"])
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func cancellingOrDroppingAFollowerNeverStopsTheAction() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        // Long enough (6 s) that the cancel lands before the action ends, even on a loaded machine.
        _ = try await Fixtures.deployment("web", behaviour: "slow 60 0.1", in: sandbox, client: client)
        let call = try client.start(RPCMethod.deploymentUp, params: UpParams(name: "web", follow: true))
        var sawLine = false
        do {
            for try await event in call.events {
                if case .chunk = event, !sawLine {
                    sawLine = true
                    try await client.cancel(call.id)
                }
            }
            Issue.record("the stream should end with -32006")
        } catch let error as RPCError {
            #expect(error.code == .requestCancelled)
        }
        #expect(sawLine)
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        let record = try await client.waitForAction(try #require(deployment.lastActionUUID))
        #expect(record.errorCode == 0)
        #expect(record.endState == .up)

        // A follower that disconnects does not stop the next action either.
        let dropper = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let downCall = try dropper.start(RPCMethod.deploymentDown, params: ActionNameParams(name: "web", follow: true))
        for try await event in downCall.events {
            if case .chunk = event { break }  // the action runs and streams: now hang up
        }
        await dropper.close()
        let after: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        let down = try await client.waitForAction(try #require(after.lastActionUUID))
        #expect(down.command == .down && down.endState == .down)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: StreamFormat.allCases)
    func aStalledFollowerBlocksNeitherTheOrchestratorNorOthersAndMemoryStaysBounded(format: StreamFormat) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let bytes = 64 * 1024 * 1024
        _ = try await Fixtures.deployment("web", behaviour: "flood \(bytes)", in: sandbox, client: client)
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))

        // A raw client asks to follow and then never reads.
        let stalled = try RawClient(path: sandbox.socket)
        try stalled.sendFrame(#"{"jsonrpc":"2.0","id":1,"method":"action.logs","params":{"id":"\#(started.actionID)","follow":true}}"#)

        // A live follower reads everything while the other stalls.
        let reader = try await RPCConnection.connect(unixSocketPath: sandbox.socket, streamFormat: format)
        let followed = try await reader.follow(
            RPCMethod.actionLogs.name, params: ActionLogsParams(id: started.actionID, follow: true), as: ActionLogsResult.self)
        #expect(followed.result.finished)
        #expect(followed.result.action.errorCode == 0)
        let expectedLines = (bytes + 100) / 101
        #expect(followed.lines.count == expectedLines + 3)
        #expect(followed.lines.last?.hasPrefix(String(format: "%010d ", expectedLines - 1)) == true)

        // The daemon did not buffer the log for the stalled follower.
        let status = try String(contentsOfFile: "/proc/\(daemon.child.pid)/status", encoding: .utf8)
        let rssLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let peakKiB = Int(rssLine.split(separator: " ", omittingEmptySubsequences: true)[1])!
        #expect(peakKiB < 64 * 1024, "testbedd peaked at \(peakKiB) KiB while streaming \(bytes / 1_048_576) MiB")
        stalled.close()
        await client.close()
        await reader.close()
        #expect(try await daemon.stop() == 0)
    }
}
