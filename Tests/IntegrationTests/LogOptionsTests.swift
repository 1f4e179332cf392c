import Foundation
import Testing
import TestbedProtocol

/// `testbedctl logs --tail, --since, --timestamps` through the real daemon:
/// the times are when testbedd saw each line written.
@Suite struct LogOptionsTests {
    static func ctl(_ sandbox: Sandbox, _ arguments: [String]) async throws -> ProcessRun {
        try await ProcessRun.run(Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket])
    }

    /// `line` split into its time and its text.
    static func split(_ line: Substring) throws -> (Date, String) {
        let stamp = String(line.prefix(24))
        let time = try #require(JSONCoding.parseTime(stamp), "no time at the start of \(line)")
        return (time, String(line.dropFirst(25)))
    }

    @Test func linesCarryTheTimeTheyWereWrittenAndSinceStartsThere() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "slow 3 0.4", in: sandbox, client: client)

        // Followed while it runs: every line stamped as it comes.
        let started = try await Self.ctl(sandbox, ["up", "web", "-d"])
        #expect(started.status == 0)
        let followed = try await Self.ctl(sandbox, ["logs", "web", "-f", "-t"])
        #expect(followed.status == 0, "\(followed.stderr)")
        let live = try followed.stdout.split(separator: "\n").map(Self.split)
        #expect(live.map(\.1).suffix(3) == ["line 1", "line 2", "line 3"])

        // Afterwards, the same times from the daemon's notes.
        let history = try await Self.ctl(sandbox, ["logs", "web", "--timestamps"])
        let lines = try history.stdout.split(separator: "\n").map(Self.split)
        #expect(lines.map(\.1) == live.map(\.1))
        #expect(lines.map(\.0) == live.map(\.0))
        let (one, two, three) = (lines[lines.count - 3].0, lines[lines.count - 2].0, lines[lines.count - 1].0)
        // The fixture waits 0.4 s between lines: the times say so (to the daemon's 10 ms, on a busy machine).
        #expect(two.timeIntervalSince(one) > 0.3 && two.timeIntervalSince(one) < 3, "\(lines)")
        #expect(three.timeIntervalSince(two) > 0.3 && three.timeIntervalSince(two) < 3, "\(lines)")
        let action: ActionRecord = try await client.call(
            RPCMethod.actionGet, params: ActionIDParams(id: started.stdout.trimmingCharacters(in: .newlines)))
        #expect(one >= JSONCoding.millisecondPrecision(action.executionTime).addingTimeInterval(-0.01))
        let finished = try #require(action.finishedAt)
        #expect(three <= finished)

        // --since a line's time starts at that line; --since now, at nothing.
        let since = try await Self.ctl(sandbox, ["logs", "web", "--since", JSONCoding.formatTime(two)])
        #expect(since.stdout == "line 2\nline 3\n", "\(since.stderr)")
        let all = try await Self.ctl(sandbox, ["logs", "web", "--since", "1d"])
        #expect(all.stdout.split(separator: "\n").count == lines.count)
        let none = try await Self.ctl(sandbox, ["logs", "web", "--since", "0s"])
        #expect(none.status == 0 && none.stdout.isEmpty)
        let tail = try await Self.ctl(sandbox, ["logs", "web", "-n", "2", "-t"])
        #expect(try tail.stdout.split(separator: "\n").map(Self.split).map(\.1) == ["line 2", "line 3"])

        // With --json, the time is a member of its own.
        let json = try await Self.ctl(sandbox, ["logs", "web", "-t", "-n", "1", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["line"] as? String == "line 3")
        #expect((object["time"] as? String).flatMap(JSONCoding.parseTime) == three)

        // Bad values are refused before anything is sent.
        let bad = try await Self.ctl(sandbox, ["logs", "web", "--since", "yesterday"])
        #expect(bad.status == 64 && bad.stderr.contains("--since takes a time"))
        for absurd in ["99999999999999999999d", "106751991167d", "1960-01-01T00:00:00Z"] {
            let refused = try await Self.ctl(sandbox, ["logs", "web", "--since", absurd])
            #expect(refused.status == 64 && refused.stderr.contains("--since takes a time"), "\(absurd): \(refused.stderr)")
        }
        let future = try await Self.ctl(sandbox, ["logs", "web", "--since", JSONCoding.formatTime(Date().addingTimeInterval(3600))])
        #expect(future.status == 64 && future.stderr.contains("is in the future"), "\(future.stderr)")
        let both = try await Self.ctl(sandbox, ["logs", "web", "--since", "1h", "-n", "3"])
        #expect(both.status == 64)
        let raw: RPCError? = await {
            do {
                _ = try await client.follow(
                    RPCMethod.actionLogs.name, params: ActionLogsParams(id: action.id, offset: 5, tail: 3), as: ActionLogsResult.self)
                return nil
            } catch { return error as? RPCError }
        }()
        #expect(raw?.code == .invalidParams && raw?.data?["field"]?.stringValue == "tail")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aLineLongerThanAMebibyteComesAsSeveralJSONObjects() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("long", behaviour: "long 3000000", in: sandbox, client: client)
        #expect(try await Self.ctl(sandbox, ["up", "long"]).status == 0)
        let json = try await Self.ctl(sandbox, ["logs", "long", "--json"])
        let lines = try json.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["line"] as? String ?? ""
        }
        let pieces = lines.filter { $0.hasPrefix("x") }
        #expect(pieces.count == 3 && pieces.allSatisfy { $0.utf8.count <= 1024 * 1024 }, "\(pieces.map(\.count))")
        #expect(pieces.joined() == String(repeating: "x", count: 3_000_000))
        #expect(lines.last == "short")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func psListsEveryRunningActionEvenOneThatLeavesItsStateAlone() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        let started = try await Self.ctl(sandbox, ["snapshot", "list", "web", "--all", "-d"])
        let id = started.stdout.trimmingCharacters(in: .newlines)
        let web: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: "web"))
        #expect(web.state == .down, "a read-only query leaves the state alone")
        let ps = try await Self.ctl(sandbox, ["ps", "-q"])
        #expect(ps.stdout == id + "\n", "\(ps.stdout) \(ps.stderr)")
        #expect(try await Self.ctl(sandbox, ["cancel", "web", "--wait"]).status == 0)
        let none = try await Self.ctl(sandbox, ["ps"])
        #expect(none.stdout == "no actions are running\n")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aLogOfManyLinesIsStampedWholeAcrossChunks() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("flood", behaviour: "flood 2000000", in: sandbox, client: client)
        #expect(try await Self.ctl(sandbox, ["up", "flood"]).status == 0)
        let plain = try await Self.ctl(sandbox, ["logs", "flood"])
        let stamped = try await Self.ctl(sandbox, ["logs", "flood", "-t"])
        let lines = stamped.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count > 3 * 4096, "more lines than one stamped chunk sends")
        #expect(try lines.map { try Self.split($0).1 }.joined(separator: "\n") + "\n" == plain.stdout)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
