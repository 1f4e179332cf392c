import Foundation
import Testing
@testable import TestbedDaemon
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessLauncherTests {
    static func launch(_ script: String) throws -> any LaunchedProcess {
        let folder = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let output = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer {
            close(folder)
            close(output)
        }
        return try ChildProcessLauncher().launch(OrchestratorInvocation(
            executable: "/bin/sh", arguments: ["-c", script], workingDirectory: "/tmp", workingDirectoryFD: folder,
            folderOwner: 0, environment: ["PATH": "/usr/bin:/bin"], outputFD: output))
    }

    /// The state letter of process `pid` in /proc (Z for a zombie), nil when there is no such process.
    static func state(of pid: Int32) -> Character? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(end, offsetBy: 2)]
    }

    /// An exited orchestrator is kept a zombie until its outcome is recorded:
    /// its pid and process group id cannot be reused meanwhile, so a late
    /// SIGKILL to its group cannot reach an unrelated process.
    @Test func anExitedOrchestratorPinsItsProcessGroupUntilReleased() async throws {
        let process = try Self.launch("exit 3")
        #expect(await process.waitForExit() == .exited(3))
        #expect(Self.state(of: process.pid) == "Z")
        process.signalAll(SIGKILL)  // safe: the group id is still this zombie's
        process.release()
        #expect(Self.state(of: process.pid) == nil)
        process.signalAll(SIGKILL)  // after release, nothing is sent
    }

    @Test func aSignalledOrchestratorReportsItsSignal() async throws {
        let process = try Self.launch("kill -TERM $$")
        #expect(await process.waitForExit() == .signaled(SIGTERM))
        process.release()
    }
}
