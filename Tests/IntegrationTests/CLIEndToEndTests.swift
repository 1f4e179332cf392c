import Foundation
import Testing

/// The real `testbedctl` against the real `testbedd` on its own socket.
@Suite struct CLIEndToEndTests {
    static func ctl(_ sandbox: Sandbox, _ arguments: [String], in folder: String? = nil) async throws -> ProcessRun {
        try await ProcessRun.run(
            Binaries.testbedctl, arguments, environment: ["TESTBED_SOCKET": sandbox.socket], in: folder)
    }

    @Test(arguments: ["file", "sqlite"])
    func aDeploymentsWholeLifeThroughTheCLI(store: String) async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox, store: store)
        let project = try sandbox.project("My Web!")

        let status = try await Self.ctl(sandbox, ["status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("deployments:  0"))
        #expect(status.stdout.contains("store:        \(store)"))

        // NAME defaults to the folder's name made safe.
        let created = try await Self.ctl(sandbox, ["deployment", "create"], in: project)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created deployment My-Web-"))

        let again = try await Self.ctl(sandbox, ["deployment", "create"], in: project)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(again.stderr.contains("testbedctl deployment create NAME"))

        let named = try await Self.ctl(sandbox, ["deployment", "create", "second", "--path", project])
        #expect(named.status == 0, "\(named.stderr)")

        let list = try await Self.ctl(sandbox, ["deployment", "ls"])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("NAME"))
        #expect(lines[0].hasPrefix("NAME     STATE  OWNER"))
        #expect(lines[1].hasPrefix("My-Web-  down   root"))
        #expect(lines[2].hasPrefix("second   down   root"))

        let json = try await Self.ctl(sandbox, ["--json", "deployment", "list"])
        let deployments = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(deployments.map { $0["name"] as? String } == ["My-Web-", "second"])
        #expect(deployments.first?["project"] as? String == project)
        #expect(deployments.first?["state"] as? String == "down")

        let info = try await Self.ctl(sandbox, ["deployment", "info", "second", "--json"])
        let record = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
        #expect(record?["name"] as? String == "second")
        #expect(record?["last_action_id"] is NSNull)

        let reset = try await Self.ctl(sandbox, ["deployment", "reset-state", "second"])
        #expect(reset.status == 0)
        #expect(reset.stdout.contains("is now down"))

        let destroyed = try await Self.ctl(sandbox, ["deployment", "destroy", "second"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        let gone = try await Self.ctl(sandbox, ["deployment", "info", "second"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no deployment named \"second\""))

        #expect(try await daemon.stop() == 0)
        // The deployment outlives the daemon.
        let restarted = try await DaemonProcess.start(in: sandbox, store: store)
        let afterRestart = try await Self.ctl(sandbox, ["deployment", "ls"])
        #expect(afterRestart.stdout.contains("My-Web-"))
        #expect(!afterRestart.stdout.contains("second"))
        #expect(try await restarted.stop() == 0)
    }

    @Test func exitCodesSayWhatWentWrong() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        let project = try sandbox.project("p")

        let badName = try await Self.ctl(sandbox, ["deployment", "info", "../etc"])
        #expect(badName.status == 64)
        #expect(badName.stderr.contains("must start with a letter or digit"))

        let usage = try await Self.ctl(sandbox, ["deployment", "frobnicate"])
        #expect(usage.status == 64)

        let noYAML = try await Self.ctl(sandbox, ["deployment", "create", "x", "--path", sandbox.path])
        #expect(noYAML.status == 64)
        #expect(noYAML.stderr.contains("holds no kvm-compose.yaml"))

        let missing = try await Self.ctl(sandbox, ["deployment", "destroy", "ghost"])
        #expect(missing.status == 1)

        let unreachable = try await ProcessRun.run(
            Binaries.testbedctl, ["status", "--socket", sandbox.path + "/nobody.sock"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains(sandbox.path + "/nobody.sock"))
        #expect(unreachable.stderr.contains("testbedd --dev"))

        // The global option also works before the subcommand.
        let early = try await ProcessRun.run(Binaries.testbedctl, ["--socket", sandbox.socket, "status"])
        #expect(early.status == 0)

        #expect(try await Self.ctl(sandbox, ["deployment", "create", "p", "--path", project]).status == 0)
        for output in [badName, usage, noYAML, missing, unreachable] {
            #expect(!output.stderr.contains("Fatal error"), "no stack traces: \(output.stderr)")
        }
        #expect(try await daemon.stop() == 0)
    }
}
