import Testing
@testable import TestbedCLI

/// What a completion reads from the shell's words: the socket to ask, and the
/// deployment named before an action id. (CompletionTests, in the integration
/// tests, asks a real daemon through the real bash script.)
@Suite struct CompletionWordsTests {
    static let environment = ["TESTBED_SOCKET": "/env/d.sock", "HOME": "/home/alice"]

    @Test(arguments: [
        (["testbedctl", "up", ""], "/env/d.sock"),
        (["testbedctl", "up", "--socket", "/flag/d.sock", ""], "/flag/d.sock"),
        (["testbedctl", "--socket=/flag/d.sock", "up", ""], "/flag/d.sock"),
        (["testbedctl", "up", "--socket", "'/quoted/d.sock'", ""], "/quoted/d.sock"),
        (["testbedctl", "up", "--socket", "~/d.sock", ""], "/home/alice/d.sock"),
        (["testbedctl", "up", "--", "--socket", "/after/terminator", ""], "/env/d.sock"),
    ])
    func theSocketIsTheCommandsOwn(words: [String], expected: String) {
        #expect(Completions.socketPath(in: words, environment: Self.environment) == expected)
    }

    @Test func withoutFlagOrEnvironmentItIsTheSystemSocket() {
        #expect(Completions.socketPath(in: ["testbedctl", "up", ""], environment: [:]) == SocketLocation.systemSocket)
    }

    @Test(arguments: [
        (["testbedctl", "logs", "web", ""], 3, ["logs", "web"]),
        (["testbedctl", "logs", "-f", "web", "ab"], 4, ["logs", "web"]),
        (["testbedctl", "logs", "--socket", "/s", "web", "--json", ""], 6, ["logs", "web"]),
        (["testbedctl", "logs", "--", "-odd", ""], 4, ["logs", "-odd"]),
        (["testbedctl", "logs", "web", "x", "y"], 2, ["logs"]),
        (["testbedctl", "logs", "web", "-n", "5", "--since", "10m", ""], 7, ["logs", "web"]),
        (["testbedctl", "logs", "--tail", "5", "web", ""], 5, ["logs", "web"]),
    ])
    func positionalWordsLeaveOutOptionsAndTheirValues(words: [String], index: Int, expected: [String]) {
        #expect(Completions.positionalWords(in: words, before: index) == expected)
    }
}
