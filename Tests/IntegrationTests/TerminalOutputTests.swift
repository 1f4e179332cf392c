import Foundation
import Testing
import TestbedProtocol

/// What a followed action and the tables look like in a real terminal
/// (tmux): the progress line under the log, cut to the width and only where
/// it belongs; states in colour unless NO_COLOR says otherwise.
@Suite struct TerminalOutputTests {
    /// 63 characters: with "[1.0s] up " before it, wider than 60 columns.
    static let longName = "a-deployment-whose-name-makes-the-progress-line-wider-than-sixt"

    static func isLogLine(_ line: String) -> Bool {
        line.range(of: #"^line \d+$"#, options: .regularExpression) != nil
    }

    static func isProgressLine(_ line: String) -> Bool {
        line.range(of: #"^\[\d+(\.\d)?s|^\[\d+m"#, options: .regularExpression) != nil
    }

    @Test(arguments: [60, 200])
    func theProgressLineIsTheLastLineAndNeverWraps(width: Int) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment(Self.longName, behaviour: "slow 1000 0.2", in: sandbox, client: client)
        let tmux = try await Tmux(
            "\(Binaries.testbedctl) up \(Self.longName)", width: width, height: 30,
            environment: ["TESTBED_SOCKET": sandbox.socket], folder: sandbox.path)
        let screen = try await tmux.waitUntil("five log lines and the progress line under them") { screen in
            let lines = screen.filter { !$0.isEmpty }
            return lines.filter(Self.isLogLine).count >= 5 && lines.last.map(Self.isProgressLine) == true
        }
        let lines = screen.filter { !$0.isEmpty }
        let progress = lines.last!
        #expect(progress.count < width, "the progress line takes \(progress.count) columns of \(width): \(progress)")
        if width == 200 {
            #expect(progress.hasSuffix("] up \(Self.longName)"), "\(progress)")
        } else {
            #expect(progress.contains("] up a-deployment-whose-name"), "\(progress)")
        }
        // The log's lines are whole: nothing of the progress line mixed into them.
        let logLines = lines.filter { $0.hasPrefix("line ") }
        #expect(!logLines.isEmpty && logLines.allSatisfy(Self.isLogLine), "\(logLines)")
        #expect(lines.filter(Self.isProgressLine).count == 1)

        try await Self.cancelTheAction(of: Self.longName, client)
        #expect(try await tmux.exitStatus() == 1)
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func noProgressLineWithADumbTerminalOrStdoutInAFile() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let folder = try await Fixtures.deployment("web", behaviour: "slow 1000 0.2", in: sandbox, client: client)
        let environment = ["TESTBED_SOCKET": sandbox.socket]

        let dumb = try await Tmux(
            "TERM=dumb \(Binaries.testbedctl) up web", width: 80, height: 30, environment: environment, folder: sandbox.path)
        // The line would be drawn at once, and again every second.
        try await Task.sleep(for: .seconds(1.5))
        let screen = try await dumb.waitUntil("eight log lines") { $0.filter(Self.isLogLine).count >= 8 }
        #expect(!screen.contains(where: Self.isProgressLine), "\(screen)")
        #expect(!screen.contains { $0.contains("up web") && !$0.hasPrefix("args") }, "\(screen)")
        try await Self.cancelTheAction(of: "web", client)
        #expect(try await dumb.exitStatus() == 1)

        let out = sandbox.path + "/out.txt"
        let redirected = try await Tmux(
            "\(Binaries.testbedctl) up web > \(out)", width: 80, height: 30, environment: environment, folder: sandbox.path)
        try await eventually("the log reaches the file") {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("line ") }.count >= 8
        }
        let stderrScreen = try await redirected.screen()
        #expect(!stderrScreen.contains(where: Self.isProgressLine), "\(stderrScreen)")
        try await Self.cancelTheAction(of: "web", client)
        #expect(try await redirected.exitStatus() == 1)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(!text.contains("\u{1B}") && !text.contains("\r"))

        // Both in the file: the outcome line is there, and nothing else of a progress line.
        try Fixtures.setBehaviour("slow 8 0.2", of: folder)
        let both = sandbox.path + "/both.txt"
        let toFile = try await Tmux(
            "\(Binaries.testbedctl) up web > \(both) 2>&1", width: 80, height: 30, environment: environment, folder: sandbox.path)
        #expect(try await toFile.exitStatus() == 0)
        let all = try String(contentsOfFile: both, encoding: .utf8)
        #expect(all.contains("line 8\n") && all.contains("up of web succeeded"), "\(all)")
        #expect(!all.contains("\u{1B}") && !all.contains("\r") && !all.split(separator: "\n").contains { Self.isProgressLine(String($0)) })
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func statesAreColouredOnATerminalUnlessNoColor() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        let _: Followed<ActionOutcome> = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true))
        let environment = ["TESTBED_SOCKET": sandbox.socket]

        let coloured = try await Tmux(
            "\(Binaries.testbedctl) deployment list; \(Binaries.testbedctl) actions web", width: 120, height: 20,
            environment: environment, folder: sandbox.path)
        #expect(try await coloured.exitStatus() == 0)
        let withColour = try await coloured.screen(escapes: true)
        let row = withColour.first { $0.hasPrefix("web") } ?? ""
        // tmux writes the colour back as SGR: green (32) on "up".
        #expect(row.contains("\u{1B}[32mup"), "\(row.debugDescription)")
        #expect(withColour.contains { $0.contains("\u{1B}[32mok") }, "\(withColour)")
        // The columns still line up: the plain screen's CREATED column starts where its header does.
        let plain = try await coloured.screen()
        let header = plain.first { $0.hasPrefix("NAME") } ?? ""
        let plainRow = plain.first { $0.hasPrefix("web") } ?? ""
        #expect(header.range(of: "CREATED")?.lowerBound.utf16Offset(in: header)
            == plainRow.range(of: #"\d{4}-"#, options: .regularExpression)?.lowerBound.utf16Offset(in: plainRow), "\(plain)")

        let noColour = try await Tmux(
            "NO_COLOR=1 \(Binaries.testbedctl) deployment list; NO_COLOR=1 \(Binaries.testbedctl) actions web", width: 120,
            height: 20, environment: environment, folder: sandbox.path)
        #expect(try await noColour.exitStatus() == 0)
        let without = try await noColour.screen(escapes: true)
        #expect(without.contains { $0.hasPrefix("web") && $0.contains("up") })
        #expect(!without.joined().contains("\u{1B}["), "\(without)")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    static func cancelTheAction(of name: String, _ client: RPCConnection) async throws {
        let deployment: Deployment = try await client.call(RPCMethod.deploymentGet, params: NameParams(name: name))
        let id = try #require(deployment.lastActionUUID)
        let _: ActionRecord = try await client.call(RPCMethod.actionCancel, params: ActionIDParams(id: id))
        _ = try await client.waitForAction(id)
    }
}
