import Foundation
import Testing
import TestbedProtocol

/// Golden tests of `testbedctl --json`: every command's output has exactly
/// the members, of the JSON types, of its kind's example in docs/cli.md (one
/// shape per kind of object), and errors are one JSON object on stderr.
@Suite struct CLIJSONShapeTests {
    static let guide = SystemdGlueTests.repository + "/docs/cli.md"

    /// The examples of docs/cli.md, by kind: the JSON after each `<!-- shape: KIND -->`.
    static func shapes() throws -> [String: JSONValue] {
        let text = try String(contentsOfFile: guide, encoding: .utf8)
        var shapes: [String: JSONValue] = [:]
        for part in text.components(separatedBy: "<!-- shape: ").dropFirst() {
            let kind = String(part[..<(part.range(of: " -->")?.lowerBound ?? part.endIndex)])
            guard let open = part.range(of: "```json\n"), let close = part.range(of: "\n```", range: open.upperBound..<part.endIndex)
            else { throw Failure("docs/cli.md: the shape of \(kind) has no json block") }
            shapes[kind] = try JSONDecoder().decode(JSONValue.self, from: Data(part[open.upperBound..<close.lowerBound].utf8))
        }
        return shapes
    }

    /// The JSON type of `value`.
    static func type(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// How `actual` differs from `example`: members missing or added, or of
    /// another type (null matches any type: the example shows one case).
    static func differences(_ actual: JSONValue, _ example: JSONValue, at path: String = "") -> [String] {
        guard case .object(let actual) = actual, case .object(let example) = example else {
            return type(actual) == type(example) ? [] : ["\(path) is \(type(actual)), not \(type(example))"]
        }
        var found: [String] = []
        for key in Set(example.keys).subtracting(actual.keys) { found.append("\(path)\(key) is missing") }
        for key in Set(actual.keys).subtracting(example.keys) { found.append("\(path)\(key) is not in docs/cli.md") }
        for (key, value) in actual {
            guard let expected = example[key] else { continue }
            let (a, e) = (type(value), type(expected))
            if a != e, a != "null", e != "null" { found.append("\(path)\(key) is \(a), not \(e)") }
            if case .object = value, case .object = expected { found += differences(value, expected, at: path + key + ".") }
            // Each item of an array of objects has the shape of the example's first.
            if case .array(let items) = value, case .array(let shown) = expected, let first = shown.first, case .object = first {
                for item in items { found += differences(item, first, at: path + key + "[].") }
            }
        }
        return found.sorted()
    }

    /// Checks that `text` is one JSON object of `kind`; returns it.
    @discardableResult
    static func expectShape(_ text: String, _ kind: String, _ shapes: [String: JSONValue], _ what: String) throws -> [String: Any] {
        let value = try #require(try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), "\(what) printed no JSON: \(text)")
        let problems = differences(value, try #require(shapes[kind], "docs/cli.md has no shape \(kind)"))
        #expect(problems.isEmpty, "\(what) prints a \(kind) unlike docs/cli.md: \(problems)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(what): \(text)")
    }

    /// Checks that `text` is a JSON array of `count` objects of `kind`; returns them.
    static func expectArray(_ text: String, of kind: String, count: Int, _ shapes: [String: JSONValue], _ what: String) throws -> [[String: Any]] {
        guard case .array(let items)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw Failure("\(what) printed no JSON array: \(text)")
        }
        #expect(items.count == count, "\(what): \(text)")
        for item in items {
            let problems = differences(item, try #require(shapes[kind]))
            #expect(problems.isEmpty, "\(what) prints a \(kind) unlike docs/cli.md: \(problems)")
        }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    static func ctl(_ sandbox: Sandbox, _ arguments: [String]) async throws -> ProcessRun {
        try await ProcessRun.run(Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket])
    }

    @Test func everyCommandPrintsTheShapeDocumentedForItsKind() async throws {
        let shapes = try Self.shapes()
        #expect(Set(shapes.keys) == ["deployment", "action", "log line", "event", "status", "version", "error", "top snapshot"])
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let web = try sandbox.project("web")
        try Fixtures.setBehaviour("succeed", of: web)
        _ = try await Fixtures.deployment("bad", behaviour: "fail 3", in: sandbox, client: client)
        _ = try await Fixtures.deployment("slow", behaviour: "hang", in: sandbox, client: client)

        // Deployments.
        let created = try await Self.ctl(sandbox, ["deployment", "create", "web", "--path", web, "--json"])
        let deployment = try Self.expectShape(created.stdout, "deployment", shapes, "deployment create")
        #expect(deployment["name"] as? String == "web" && deployment["state"] as? String == "down" && deployment["project"] as? String == web)
        #expect(deployment["owner"] as? String == "root" && deployment["failed_action"] is NSNull)
        try Self.expectShape(try await Self.ctl(sandbox, ["deployment", "info", "web", "--json"]).stdout, "deployment", shapes, "deployment info")
        try Self.expectShape(try await Self.ctl(sandbox, ["deployment", "inspect", "web", "--json"]).stdout, "deployment", shapes, "deployment inspect")
        let listed = try Self.expectArray(
            try await Self.ctl(sandbox, ["deployment", "list", "--json"]).stdout, of: "deployment", count: 3, shapes, "deployment list")
        #expect(listed.map { $0["name"] as? String } == ["bad", "slow", "web"])

        // Actions, followed and detached; a failure's state.
        let up = try await Self.ctl(sandbox, ["up", "web", "--json"])
        #expect(up.status == 0, "\(up.stderr)")
        let action = try Self.expectShape(up.stdout, "action", shapes, "up --json")
        #expect(action["result"] as? String == "succeeded" && action["end_state"] as? String == "up" && action["command"] as? String == "up")
        #expect(up.stderr.contains("step 2 of 2"), "the log goes to stderr with --json")
        let failed = try await Self.ctl(sandbox, ["up", "bad", "--json"])
        #expect(failed.status == 3)
        #expect(try Self.expectShape(failed.stdout, "action", shapes, "up of a failure")["result"] as? String == "failed")
        let bad = try Self.expectShape(try await Self.ctl(sandbox, ["deployment", "info", "bad", "--json"]).stdout, "deployment", shapes, "a failed deployment")
        #expect(bad["state"] as? String == "failed" && bad["failed_action"] as? String == "up")
        let actions = try Self.expectArray(try await Self.ctl(sandbox, ["actions", "web", "--json"]).stdout, of: "action", count: 1, shapes, "actions")
        #expect(actions.first?["action_id"] as? String == action["action_id"] as? String)
        let settled = try await Self.ctl(sandbox, ["wait", "web", "--json"])
        #expect(try Self.expectShape(settled.stdout, "deployment", shapes, "wait")["state"] as? String == "up")

        // Log lines: one object per line, in order.
        let logs = try await Self.ctl(sandbox, ["logs", "web", "--json"])
        let lines = logs.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count >= 5, "\(logs.stdout)")
        for line in lines { try Self.expectShape(line, "log line", shapes, "logs --json") }
        let texts = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["line"] as? String }
        #expect(texts.suffix(2) == ["step 1 of 2", "step 2 of 2"])
        let tail = try await Self.ctl(sandbox, ["logs", "web", "--tail", "1"])
        #expect(tail.stdout == "step 2 of 2\n", "\(tail.stderr)")

        // A running action: detached, listed by ps, cancelled.
        let detached = try await Self.ctl(sandbox, ["up", "slow", "-d", "--json"])
        let running = try Self.expectShape(detached.stdout, "action", shapes, "up -d --json")
        #expect(running["result"] as? String == "running" && running["finished_at"] is NSNull)
        let ps = try Self.expectArray(try await Self.ctl(sandbox, ["ps", "--json"]).stdout, of: "action", count: 1, shapes, "ps")
        #expect(ps.first?["deployment"] as? String == "slow")
        let top = try await Self.ctl(sandbox, ["top", "--json", "-n", "1"])
        let snapshot = try Self.expectShape(top.stdout, "top snapshot", shapes, "top --json")
        #expect(snapshot["running"] as? [String] == ["slow"], "\(top.stdout)")
        let cancelled = try await Self.ctl(sandbox, ["cancel", "slow", "--wait", "--json"])
        #expect(try Self.expectShape(cancelled.stdout, "action", shapes, "cancel --wait")["result"] as? String == "cancelled")

        // The daemon and the versions.
        let status = try Self.expectShape(try await Self.ctl(sandbox, ["status", "--json"]).stdout, "status", shapes, "status")
        #expect(status["socket"] as? String == sandbox.socket)
        let bootID = try #require(status["boot_id"] as? String)
        try Self.expectShape(try await Self.ctl(sandbox, ["version", "--json"]).stdout, "version", shapes, "version")

        // Events, replayed from the first.
        let eventsOut = sandbox.path + "/events.out"
        let events = try ChildProcess(
            Binaries.testbedctl, ["events", "--json", "--since", "0", "--boot-id", bootID, "--socket", sandbox.socket],
            environment: childEnvironment([:]), stdout: eventsOut, stderr: sandbox.path + "/events.err")
        try await eventually("the events so far are printed") {
            ((try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? "").contains(#""kind":"action.ended""#)
        }
        events.send(SIGTERM)
        _ = try await events.wait(timeout: .seconds(10), what: "testbedctl events")
        let eventLines = try String(contentsOfFile: eventsOut, encoding: .utf8).split(separator: "\n")
        #expect(eventLines.count >= 6)
        for line in eventLines { try Self.expectShape(String(line), "event", shapes, "events --json") }

        // Reset and destroy print the deployment.
        let reset = try await Self.ctl(sandbox, ["deployment", "reset-state", "bad", "--json"])
        #expect(try Self.expectShape(reset.stdout, "deployment", shapes, "reset-state")["state"] as? String == "down")
        let destroyed = try await Self.ctl(sandbox, ["deployment", "rm", "bad", "--json"])
        #expect(try Self.expectShape(destroyed.stdout, "deployment", shapes, "destroy")["name"] as? String == "bad")

        // Errors: one object on stderr, nothing on stdout.
        let missing = try await Self.ctl(sandbox, ["deployment", "info", "nope", "--json"])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        let error = try Self.expectShape(missing.stderr, "error", shapes, "an unknown deployment")
        #expect(error["code"] as? String == "not_found" && error["exit_code"] as? Int == 1 && error["rpc_code"] as? Int == -32001)
        let usage = try await Self.ctl(sandbox, ["--json", "deployment", "lsit"])
        #expect(usage.status == 64)
        #expect(try Self.expectShape(usage.stderr, "error", shapes, "a mistyped command")["code"] as? String == "usage")

        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func theComparisonCatchesAMissingAddedOrRetypedMember() {
        let example: JSONValue = .object(["a": .int(1), "b": .string("x"), "c": .null, "d": .object(["e": .bool(true)])])
        #expect(Self.differences(.object(["a": .double(2.5), "b": .string("y"), "c": .string("z"), "d": .object(["e": .bool(false)])]), example).isEmpty)
        #expect(Self.differences(.object(["a": .int(2), "b": .string("y"), "d": .object(["e": .bool(false)])]), example) == ["c is missing"])
        #expect(Self.differences(.object(["a": .int(2), "b": .null, "c": .int(1), "d": .object([:]), "f": .int(1)]), example)
            == ["d.e is missing", "f is not in docs/cli.md"])
        #expect(Self.differences(.object(["a": .string("2"), "b": .string("y"), "c": .int(1), "d": .object(["e": .int(1)])]), example)
            == ["a is string, not number", "d.e is number, not bool"])
        let list: JSONValue = .object(["l": .array([.object(["x": .int(1)])])])
        #expect(Self.differences(.object(["l": .array([.object(["x": .int(2)]), .object(["y": .int(2)])])]), list)
            == ["l[].x is missing", "l[].y is not in docs/cli.md"])
    }
}

/// A test failure with a sentence.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
