import Foundation
import Testing
import TestbedProtocol

/// `testbedctl top` through the real CLI and daemon: full-screen in a real
/// terminal (tmux) at a narrow and a wide size, and plain or JSON snapshots
/// when its output is not a terminal.
@Suite struct TopTests {
    /// 63 characters, the longest name there is: wider than a 60-column screen.
    static let longName = "a-slow-deployment-whose-name-is-wider-than-a-sixty-column-scree"

    /// The requests that read deployments or actions one by one: `top`
    /// must not make any once it has its snapshot.
    static func readsOfDeployments(_ client: RPCConnection) async throws -> Double {
        let metrics = try await client.call(RPCMethod.serverMetrics)
        var total = 0.0
        for line in metrics.text.split(separator: "\n") where line.hasPrefix("testbed_requests_total{") {
            guard ["deployment.list", "deployment.get", "action.list", "action.get"].contains(where: { line.contains("method=\"\($0)\"") })
            else { continue }
            total += Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return total
    }

    /// Every row fits: none was wrapped by the terminal (tmux joins the rows
    /// a line wrapped over, so it would show longer than the pane).
    static func expectFits(_ screen: [String], width: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in screen {
            #expect(line.count <= width, "a line of \(line.count) columns on a \(width)-column screen: \(line)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [60, 200])
    func topFollowsTheDaemonOnATerminal(width: Int) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        _ = try await Fixtures.deployment(Self.longName, behaviour: "slow 1000 0.2", in: sandbox, client: client)
        let slow: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: Self.longName))

        let tmux = try await Tmux(
            "stty -g > before; \(Binaries.testbedctl) top --interval 0.5; echo \"top exited $?\"; stty -g > after",
            width: width, height: 24, environment: ["TESTBED_SOCKET": sandbox.socket], folder: sandbox.path)
        var screen = try await tmux.waitUntil("top shows both deployments") { screen in
            screen.contains { $0.contains("  web ") && $0.contains("down") } && screen.contains { $0.contains("a-slow-deployment") }
        }
        #expect(try await tmux.alternateScreen)
        Self.expectFits(screen, width: width)
        // The running action, its elapsed time and the last line of its log.
        screen = try await tmux.waitUntil("the slow action shows a log line") { screen in
            screen.contains { $0.contains("a-slow-deployment") && $0.range(of: #"\d+s +line \d+"#, options: .regularExpression) != nil }
        }
        Self.expectFits(screen, width: width)
        // The daemon's figures.
        try await tmux.waitUntil("the figures are read") { screen in
            // At 60 columns the line is cut after the connections.
            screen.first.map { $0.contains("testbedd") && $0.contains("connections") && (width < 100 || $0.contains("memory")) } == true
        }

        // From here on, top learns of changes from events alone.
        let reads = try await Self.readsOfDeployments(client)
        _ = try await Fixtures.deployment("api", behaviour: "succeed", in: sandbox, client: client)
        screen = try await tmux.waitUntil("the new deployment appears") { $0.contains { $0.contains("  api ") && $0.contains("down") } }
        Self.expectFits(screen, width: width)
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        screen = try await tmux.waitUntil("web runs, its log's last line shown") { screen in
            screen.contains { $0.contains("  web ") && $0.contains("running") }
                && screen.contains { $0.hasPrefix("  web ") && $0.contains("hanging") }
        }
        Self.expectFits(screen, width: width)
        #expect(try await Self.readsOfDeployments(client) == reads, "top read deployments or actions again instead of following events")

        // c then n: nothing is cancelled. (web sorts last: G selects it.)
        try await tmux.type("G")
        try await tmux.waitUntil("web is selected") { $0.contains { $0.hasPrefix("> web ") } }
        try await tmux.type("c")
        try await tmux.waitFor("cancel up of web? [y/N]")
        try await tmux.type("n")
        try await tmux.waitFor("not cancelled")
        try await Task.sleep(for: .milliseconds(300))
        var record: ActionRecord = try await client.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
        #expect(!record.isFinished && record.cancelledBy == nil)
        // c then y: cancelled.
        try await tmux.type("c")
        try await tmux.waitFor("cancel up of web? [y/N]")
        try await tmux.type("y")
        record = try await client.waitForAction(started.actionID)
        #expect(record.cancelledBy != nil)
        screen = try await tmux.waitUntil("web shows its cancelled action") { $0.contains { $0.hasPrefix("> web ") && $0.contains("cancelled") } }
        Self.expectFits(screen, width: width)

        // Following the slow deployment's log, then back.
        try await tmux.type("g")
        try await tmux.waitUntil("the slow deployment is selected") { $0.contains { $0.hasPrefix("> a-slow-") } }
        try await tmux.press("Enter")
        screen = try await tmux.waitUntil("its log shows, full-screen") { screen in
            screen.first?.hasPrefix("log of up of a-slow-deployment") == true
                && screen.filter { $0.range(of: #"^line \d+$"#, options: .regularExpression) != nil }.count >= 5
                && screen.last?.contains("q/Esc: back") == true
        }
        Self.expectFits(screen, width: width)
        try await tmux.type("q")
        try await tmux.waitUntil("the dashboard is back") { $0.contains { $0.contains("NAME") && $0.contains("STATE") } }
        #expect(try await tmux.alternateScreen)

        // q quits, 0, and the terminal is as it was.
        try await tmux.type("q")
        #expect(try await tmux.exitStatus() == 0)
        try await tmux.waitFor("top exited 0")
        #expect(try await !tmux.alternateScreen)
        #expect(try await tmux.value("#{cursor_flag}") == "1")
        let before = try String(contentsOfFile: sandbox.path + "/before", encoding: .utf8)
        let after = try String(contentsOfFile: sandbox.path + "/after", encoding: .utf8)
        #expect(!before.isEmpty && before == after, "the terminal's settings were not restored")

        let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: slow.actionID))
        _ = try await client.waitForAction(slow.actionID)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    /// The processes whose parent is `parent` (from /proc/PID/stat).
    static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the name in parentheses: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    @Test func sigtermRestoresTheTerminal() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let tmux = try await Tmux(
            "stty -g > before; \(Binaries.testbedctl) top; echo \"top exited $?\"; stty -g > after",
            width: 80, height: 24, environment: ["TESTBED_SOCKET": sandbox.socket], folder: sandbox.path)
        try await tmux.waitFor("no deployments")
        #expect(try await tmux.alternateScreen)
        let pids = Self.children(of: try await tmux.shellPID())
        #expect(pids.count == 1)
        for pid in pids { kill(pid, SIGTERM) }
        try await tmux.waitFor("top exited 143")
        #expect(try await !tmux.alternateScreen)
        let before = try String(contentsOfFile: sandbox.path + "/before", encoding: .utf8)
        let after = try String(contentsOfFile: sandbox.path + "/after", encoding: .utf8)
        #expect(!before.isEmpty && before == after, "the terminal's settings were not restored")
        #expect(try await daemon.stop() == 0)
    }

    @Test func topPrintsPlainOrJSONSnapshotsWhenNotOnATerminal() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        _ = try await Fixtures.deployment("db", behaviour: "succeed", in: sandbox, client: client)
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        let environment = ["TESTBED_SOCKET": sandbox.socket]

        let plain = try await ProcessRun.run(Binaries.testbedctl, ["top", "-n", "2", "--interval", "0.3"], environment: environment)
        #expect(plain.status == 0, "\(plain.stderr)")
        let lines = plain.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("NAME") }.count == 2, "\(plain.stdout)")
        #expect(lines.filter { $0.contains("testbedd ") && $0.contains("req/s") }.count == 2)
        #expect(lines.contains { $0.hasPrefix("web ") && $0.contains("running") })
        #expect(lines.contains { $0.hasPrefix("db ") && $0.contains("down") })
        #expect(lines.contains { $0.hasPrefix("RUNNING") })
        #expect(!plain.stdout.contains("\u{1B}"), "escape sequences in plain output")

        let json = try await ProcessRun.run(
            Binaries.testbedctl, ["top", "--json", "-n", "2", "--interval", "0.3"], environment: environment)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try json.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == 2)
        for object in objects {
            let rows = object?["deployments"] as? [[String: Any]] ?? []
            #expect(rows.compactMap { $0["name"] as? String } == ["db", "web"])
            #expect(rows.last?["state"] as? String == "running")
            #expect((object?["running"] as? [String]) == ["web"])
            #expect((object?["daemon"] as? [String: Any])?["connections"] != nil)
        }

        // Without -n, it stops once its reader has gone.
        let piped = try await ProcessRun.run(
            "/bin/sh", ["-c", "\(Binaries.testbedctl) top --interval 0.2 | head -1"], environment: environment,
            timeout: .seconds(20))
        #expect(piped.status == 0 && piped.stdout.contains("testbedd 0.1.0"), "\(piped.stderr)")

        let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: started.actionID))
        _ = try await client.waitForAction(started.actionID)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }
}
