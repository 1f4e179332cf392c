import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Shell completion of deployment names and action ids, asked of a real
/// daemon through the real bash completion script that testbedctl generates,
/// and what it does when there is no daemon to ask.
@Suite struct CompletionTests {
    /// Sources the bash completion script in `bash`, sets `COMP_WORDS`,
    /// `COMP_CWORD`, `COMP_LINE` and `COMP_POINT` as bash does for `line`
    /// with the cursor at its end, calls the completion function as `complete
    /// -F` would, and prints `COMPREPLY`, one candidate a line.
    static let driver = """
        source "$1" || exit 90
        complete -p testbedctl >/dev/null || exit 91
        line=$2
        read -ra COMP_WORDS <<< "$line"
        [[ "$line" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE=$line
        COMP_POINT=${#line}
        COMPREPLY=()
        _testbedctl testbedctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """

    /// Writes the bash completion script and its driver into `sandbox`.
    static func bashScripts(in sandbox: Sandbox) async throws -> (script: String, driver: String) {
        let generated = try await ProcessRun.run(Binaries.testbedctl, ["--generate-completion-script", "bash"])
        #expect(generated.status == 0, "\(generated.stderr)")
        return (try sandbox.write(generated.stdout, to: "testbedctl.bash"), try sandbox.write(driver, to: "driver.bash"))
    }

    /// The candidates bash offers for `line`, testbedctl found on PATH.
    static func complete(_ line: String, with scripts: (script: String, driver: String), socket: String?) async throws -> [String] {
        var environment = ["PATH": Binaries.folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        if let socket { environment["TESTBED_SOCKET"] = socket }
        let run = try await ProcessRun.run("/bin/bash", [scripts.driver, scripts.script, line], environment: environment)
        #expect(run.status == 0, "bash for \(line): \(run.stderr)")
        #expect(run.stderr.isEmpty, "bash for \(line): \(run.stderr)")
        return run.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashCompletesDeploymentNamesAndActionIDsFromTheDaemon() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        try await withCleanup {
            _ = try await Fixtures.deployment("web", in: sandbox, client: client)
            _ = try await Fixtures.deployment("db", in: sandbox, client: client)
            let up = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
            let down = try await client.follow(RPCMethod.deploymentDown.name, params: ActionNameParams(name: "web", follow: true), as: ActionOutcome.self)
            let actions: ActionList = try await client.call(RPCMethod.actionList, params: NameParams(name: "web"))
            #expect(Set(actions.actions.map(\.id)) == [up.result.actionID, down.result.actionID])
            let scripts = try await Self.bashScripts(in: sandbox)

            // NAME of an action command, of `deployment info`, and with a prefix typed.
            #expect(try await Self.complete("testbedctl up ", with: scripts, socket: sandbox.socket) == ["db", "web"])
            #expect(try await Self.complete("testbedctl deployment info ", with: scripts, socket: sandbox.socket) == ["db", "web"])
            #expect(try await Self.complete("testbedctl logs w", with: scripts, socket: sandbox.socket) == ["web"])
            // --socket on the command line wins over TESTBED_SOCKET.
            #expect(
                try await Self.complete("testbedctl deployment destroy --socket \(sandbox.socket) ", with: scripts, socket: "/nonexistent.sock")
                    == ["db", "web"])
            // The action ids of the deployment named before ACTION_ID, and only those matching what is typed.
            let ids = actions.actions.map(\.id).sorted()
            #expect(try await Self.complete("testbedctl logs web ", with: scripts, socket: sandbox.socket) == ids)
            #expect(try await Self.complete("testbedctl logs -f web \(ids[0].prefix(6))", with: scripts, socket: sandbox.socket) == [ids[0]])
            #expect(try await Self.complete("testbedctl logs db ", with: scripts, socket: sandbox.socket).isEmpty)

            // As the zsh and fish scripts call it too.
            let direct = try await ProcessRun.run(
                Binaries.testbedctl, ["---completion", "down", "--", "positional@0", "2", "0", "testbedctl", "down", ""],
                environment: ["TESTBED_SOCKET": sandbox.socket])
            #expect(direct.status == 0 && direct.stdout == "db\nweb\n", "\(direct.stderr)")
        } cleanup: {
            await client.close()
            _ = try? await daemon.stop()
        }
    }

    @Test func withoutADaemonNothingIsOfferedQuickly() async throws {
        let sandbox = try Sandbox()
        let scripts = try await Self.bashScripts(in: sandbox)
        // No socket at all: nothing.
        #expect(try await Self.complete("testbedctl up ", with: scripts, socket: sandbox.socket).isEmpty)
        #expect(try await Self.complete("testbedctl logs web ", with: scripts, socket: sandbox.socket).isEmpty)
        let direct = try await ProcessRun.run(
            Binaries.testbedctl, ["---completion", "up", "--", "positional@0", "2", "0", "testbedctl", "up", ""],
            environment: ["TESTBED_SOCKET": sandbox.socket])
        #expect(direct.status == 0 && direct.stdout.isEmpty && direct.stderr.isEmpty, "\(direct)")

        // A socket that accepts connections and never answers: nothing, once the
        // one-second wait is over (the upper bound only catches a hang: machines here are shared).
        let listener = try bindUnixSocket(sandbox.socket, type: Int32(SOCK_STREAM.rawValue))
        defer { close(listener) }
        #expect(listen(listener, 16) == 0)
        let hung = ContinuousClock.now
        let silent = try await ProcessRun.run(
            Binaries.testbedctl, ["---completion", "deployment", "info", "--", "positional@0", "3", "0", "testbedctl", "deployment", "info", ""],
            environment: ["TESTBED_SOCKET": sandbox.socket])
        let waited = ContinuousClock.now - hung
        #expect(silent.status == 0 && silent.stdout.isEmpty && silent.stderr.isEmpty, "\(silent)")
        #expect(waited >= .milliseconds(900) && waited < .seconds(15), "waited \(waited)")
    }
}
