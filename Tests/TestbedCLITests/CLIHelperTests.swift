import Testing
import TestbedProtocol
@testable import TestbedCLI

@Suite struct CLIHelperTests {
    @Test(arguments: [
        (["--socket", "/s", "status"], ["status", "--socket", "/s"]),
        (["--json", "deployment", "ls"], ["deployment", "ls", "--json"]),
        (["--socket=/s", "--json", "status"], ["status", "--socket=/s", "--json"]),
        (["status", "--socket", "/s"], ["status", "--socket", "/s"]),
        (["--help"], ["--help"]),
        (["--socket"], ["--socket"]),
    ])
    func globalOptionsBeforeTheSubcommandMoveAfterIt(input: [String], expected: [String]) {
        #expect(GlobalOptions.hoisted(input) == expected)
    }

    @Test func socketPrecedenceIsFlagThenEnvironmentThenSystem() {
        #expect(SocketLocation.resolve(flag: "/f.sock", environment: ["TESTBED_SOCKET": "/e.sock"]) == "/f.sock")
        #expect(SocketLocation.resolve(flag: nil, environment: ["TESTBED_SOCKET": "/e.sock"]) == "/e.sock")
        #expect(SocketLocation.resolve(flag: nil, environment: [:]) == SocketLocation.systemSocket)
        #expect(SocketLocation.resolve(flag: nil, environment: ["TESTBED_SOCKET": ""]) == SocketLocation.systemSocket)
    }

    @Test func daemonErrorsMapToTheDocumentedExitCodes() {
        #expect(ExitStatus.forDaemonError(.busy) == 75)
        #expect(ExitStatus.forDaemonError(.permissionDenied) == 77)
        #expect(ExitStatus.forDaemonError(.invalidParams) == 64)
        #expect(ExitStatus.forDaemonError(.notFound) == 1)
        #expect(ExitStatus.forDaemonError(.invalidState) == 1)
    }

    @Test func tablesAlignColumns() {
        var table = Table(headers: ["NAME", "STATE"])
        table.append(["a-long-name", "up"])
        table.append(["b", "failed (up)"])
        #expect(table.render() == "NAME         STATE\na-long-name  up\nb            failed (up)\n")
    }
}
