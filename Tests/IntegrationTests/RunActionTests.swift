import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `testbedd run-action`, the first program of an action's systemd unit: it
/// checks the project folder again, on the folder it then runs in.
@Suite struct RunActionTests {
    @Test func itRunsTheOrchestratorInTheCheckedFolder() async throws {
        let sandbox = try Sandbox()
        let folder = try sandbox.project("p")
        let run = try await ProcessRun.run(Binaries.testbedd, ["run-action", "0", folder, "--", "/bin/pwd"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == folder + "\n")
    }

    @Test func itRefusesAFolderThatIsNotTheOwners() async throws {
        let sandbox = try Sandbox()
        let folder = try sandbox.project("p")
        chown(folder, 64_001, 64_001)
        let run = try await ProcessRun.run(Binaries.testbedd, ["run-action", "0", folder, "--", "/bin/pwd"])
        #expect(run.status == 77)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("belongs to uid 64001, not to uid 0"))

        chown(folder, 0, 0)
        chmod(folder, 0o777)
        let open = try await ProcessRun.run(Binaries.testbedd, ["run-action", "0", folder, "--", "/bin/pwd"])
        #expect(open.status == 77)
        #expect(open.stderr.contains("writable by everyone"))

        let usage = try await ProcessRun.run(Binaries.testbedd, ["run-action", "zero"])
        #expect(usage.status == 64)
    }
}
