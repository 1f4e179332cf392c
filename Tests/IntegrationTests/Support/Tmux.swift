import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real terminal for a test: a detached tmux session on a server of its
/// own (`-L`), one pane of a given size running one shell command, read back
/// with capture-pane and driven with send-keys. The pane's shell stays after
/// the command (for ten minutes at most), its exit status in a file, so its
/// last screen can be read as it was (a dead pane's notice would scroll it).
/// The test runner's NO_COLOR is left out, as from a person's terminal. The
/// server is killed, and its socket removed, on deinit.
final class Tmux: @unchecked Sendable {
    static let executable: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let server = "tbt-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let width: Int
    let height: Int
    /// Where the command's exit status is written.
    private let statusFile: String

    /// Starts `command` (run by /bin/sh) in a `width`×`height` pane, with
    /// `environment` added to the pane's.
    init(_ command: String, width: Int, height: Int, environment: [String: String] = [:], folder: String) async throws {
        guard Self.executable != nil else { throw ProcessRunError("tmux is missing: run scripts/bootstrap (apt-get install tmux)") }
        self.width = width
        self.height = height
        statusFile = folder + "/tmux-\(server).status"
        let config = folder + "/tmux-\(server).conf"
        try Data("set -g status off\nset -g history-limit 10000\n".utf8).write(to: URL(fileURLWithPath: config))
        var arguments = ["-f", config, "new-session", "-d", "-s", "t", "-c", folder, "-x", String(width), "-y", String(height)]
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["-e", "\(key)=\(value)"] }
        arguments += ["/usr/bin/env", "-u", "NO_COLOR", "/bin/sh", "-c", "\(command)\necho $? > \(statusFile)\nexec sleep 600"]
        try await tmux(arguments)
    }

    deinit {
        // Synchronously: nothing may outlive the test.
        guard let executable = Self.executable, let child = try? ChildProcess(
            executable, ["-L", server, "kill-server"], environment: childEnvironment([:]), stdout: "/dev/null", stderr: "/dev/null")
        else { return }
        for _ in 0..<500 where child.isRunning { usleep(10_000) }
        // tmux leaves its socket behind.
        let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        unlink("\(folder)/tmux-\(getuid())/\(server)")
    }

    /// Runs `tmux -L SERVER arguments…`; returns its stdout.
    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        let run = try await ProcessRun.run(Self.executable!, ["-L", server] + arguments, timeout: .seconds(20))
        guard run.status == 0 else { throw ProcessRunError("tmux \(arguments.joined(separator: " ")) failed (\(run.status)): \(run.stderr)") }
        return run.stdout
    }

    /// Types `text` as it is.
    func type(_ text: String) async throws {
        try await tmux(["send-keys", "-t", "t", "-l", text])
    }

    /// Presses keys by tmux's names: `Up`, `Down`, `Enter`, `Escape`, `C-c`.
    func press(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", "t"] + keys)
    }

    /// The pane's rows as text; a row the terminal wrapped is joined to the
    /// next (-J), so a line written wider than the pane shows as one longer
    /// line. With `escapes`, colours and attributes as SGR sequences (-e).
    func screen(escapes: Bool = false) async throws -> [String] {
        let text = try await tmux(["capture-pane", "-p", "-J", "-t", "t"] + (escapes ? ["-e"] : []))
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Waits until `condition` holds for the screen; returns that screen.
    @discardableResult
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(20), escapes: Bool = false, _ condition: ([String]) -> Bool
    ) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var last: [String] = []
        while ContinuousClock.now < deadline {
            last = try await screen(escapes: escapes)
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessRunError("timed out after \(timeout) waiting until \(what); the screen:\n" + last.joined(separator: "\n"))
    }

    /// Waits until some row contains `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(20)) async throws -> [String] {
        try await waitUntil("the screen shows \"\(text)\"", timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// A pane variable (`#{alternate_on}`, `#{pane_dead_status}`…).
    func value(_ format: String) async throws -> String {
        try await tmux(["display-message", "-p", "-t", "t", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the pane shows the alternate screen.
    var alternateScreen: Bool { get async throws { try await value("#{alternate_on}") == "1" } }

    /// The command's exit status once it has exited.
    func exitStatus(timeout: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: statusFile, encoding: .utf8),
                let status = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return status
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessRunError("the command in tmux did not exit within \(timeout); the screen:\n" + (try await screen()).joined(separator: "\n"))
    }

    /// The pid of the shell running the command (its parent: the command runs as its child).
    func shellPID() async throws -> pid_t {
        guard let pid = pid_t(try await value("#{pane_pid}")) else { throw ProcessRunError("tmux gave no pane pid") }
        return pid
    }
}
