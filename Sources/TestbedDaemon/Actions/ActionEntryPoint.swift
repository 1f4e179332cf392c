import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// `testbedd run-action OWNER FOLDER -- ORCHESTRATOR ARGS...`: the first thing
/// an action's systemd unit runs. systemd can only be given the project folder
/// as a path, so the folder's checks (owned by OWNER, not writable by others,
/// holding kvm-compose.yaml) are made here again, on the folder opened once,
/// which then becomes the working folder before the orchestrator is executed:
/// a folder swapped after the daemon's own check is never the one root runs in.
public enum ActionEntryPoint {
    public static let command = "run-action"

    /// Runs the orchestrator in the checked folder; never returns.
    public static func run(_ arguments: [String]) -> Never {
        guard arguments.count >= 4, let owner = UInt32(arguments[0]), arguments[2] == "--" else {
            fail(64, "usage: testbedd run-action OWNER_UID FOLDER -- ORCHESTRATOR [ARGS...]")
        }
        let folder: (fd: Int32, path: String)
        do {
            folder = try ProjectLocation.open(arguments[1], owner: owner)
        } catch {
            fail(77, "refusing to run the orchestrator: \(error.message)")
        }
        guard fchdir(folder.fd) == 0 else { fail(126, "cannot enter \(folder.path): \(String(cString: strerror(errno)))") }
        close(folder.fd)
        let program = Array(arguments[3...])
        let argv = program.map { strdup($0) } + [nil]
        execv(program[0], argv)
        fail(127, "cannot run \(program[0]): \(String(cString: strerror(errno)))")
    }

    private static func fail(_ status: Int32, _ message: String) -> Never {
        FileHandle.standardError.write(Data("testbedd: \(message)\n".utf8))
        exit(status)
    }
}
