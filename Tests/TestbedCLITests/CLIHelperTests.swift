import FoundationEssentials
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

    /// The hand-written table time says what an ISO 8601 format style would.
    @Test func tableTimesAreISO8601InUTCToTheSecond() {
        let style = Date.ISO8601FormatStyle(dateTimeSeparator: .space, timeZone: .gmt)
        var generator = SystemRandomNumberGenerator()
        for seconds in [0, 0.999, 59.5, 951_782_400, 1_764_506_123.75, 4_102_444_799] + (0..<2_000).map({ _ in
            Double.random(in: 0..<4_102_444_800, using: &generator)
        }) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Output.describe(date) == style.format(date), "\(seconds)")
        }
        #expect(Output.describe(Date(timeIntervalSince1970: 1_764_506_123)) == "2025-11-30 12:35:23Z")
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
