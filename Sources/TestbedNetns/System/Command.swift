import CTestbedShims
import Foundation

/// One program run to completion: argv without a shell, an explicit environment,
/// stdin from bytes or /dev/null, stdout captured or passed through to ours (the
/// action's log). stderr always goes to ours, so a tool's own message reaches
/// the log. The child stays in our process group, so the SIGTERM that cancels
/// an action reaches it too.
public struct Command: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]?
    public var folder: String?
    public var input: [UInt8]?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, folder: String? = nil, input: [UInt8]? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.folder = folder
        self.input = input
    }

    /// What a finished run gave back.
    public struct Result: Sendable {
        public var status: Int32
        /// How it ended: "exited with N" or "was killed by signal N".
        public var ending: String
        public var output: [UInt8]
        public var succeeded: Bool { status == 0 && !killed }
        var killed: Bool

        /// This result if it succeeded; otherwise `cancelled` after a cancellation,
        /// else `OrchestratorError(.failed, "<what> failed: <tool> exited with N")`.
        public func required(_ what: String, tool: String) throws(OrchestratorError) -> Result {
            guard succeeded else {
                throw Cancellation.isRequested ? OrchestratorError.cancelled : OrchestratorError(.failed, "\(what) failed: \(tool) \(ending)")
            }
            return self
        }
    }

    /// Runs the command and waits for it. `capture` keeps stdout; otherwise stdout
    /// is ours, or /dev/null with `quiet`. With `ownGroup` the command leads a
    /// process group of its own, and a cancellation is passed on to that group:
    /// SIGTERM, then SIGKILL `grace` seconds later, so a program that ignores
    /// SIGTERM (and its children) cannot hold the rollback up.
    @discardableResult
    public func run(capture: Bool = false, quiet: Bool = false, ownGroup: Bool = false, grace: Double = 3) throws(OrchestratorError) -> Result {
        var closeAfterSpawn: [Int32] = []
        defer { for fd in closeAfterSpawn { close(fd) } }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw OrchestratorError(.failed, "cannot open /dev/null") }
        closeAfterSpawn.append(null)

        var inputFD = null
        var inputWriter: Int32 = -1
        if input != nil {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw OrchestratorError(.failed, "cannot make a pipe") }
            inputFD = ends[0]
            inputWriter = ends[1]
            closeAfterSpawn.append(ends[0])
        }
        var outputFD = quiet ? null : STDOUT_FILENO
        var outputReader: Int32 = -1
        if capture {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw OrchestratorError(.failed, "cannot make a pipe") }
            outputFD = ends[1]
            outputReader = ends[0]
            closeAfterSpawn.append(ends[1])
        }

        let argv = [executable] + arguments
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var spawnError: Int32 = 0
        let pid = Self.withCStrings(argv) { argvPointer in
            Self.withCStrings(envp) { envpPointer in
                testbed_spawn_in_group(executable, argvPointer, envpPointer, folder, inputFD, outputFD, STDERR_FILENO, ownGroup ? 1 : 0, &spawnError)
            }
        }
        for fd in closeAfterSpawn { close(fd) }
        closeAfterSpawn = []
        guard pid > 0 else {
            if inputWriter >= 0 { close(inputWriter) }
            if outputReader >= 0 { close(outputReader) }
            throw OrchestratorError(.failed, "cannot start \(executable): \(String(cString: strerror(spawnError)))")
        }
        if inputWriter >= 0, let input {
            // A writer thread: a large input must not block while the child's output fills its pipe.
            let writer = inputWriter
            Thread.detachNewThread {
                var offset = 0
                while offset < input.count {
                    let written = input[offset...].withUnsafeBytes { Glibc.write(writer, $0.baseAddress, $0.count) }
                    if written < 0, errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
                close(writer)
            }
        }
        var output: [UInt8] = []
        if outputReader >= 0 {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(outputReader, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                output += buffer[0..<count]
            }
            close(outputReader)
        }
        var status: Int32 = 0
        if ownGroup {
            var terminatedAt: Date?
            while testbed_child_has_exited(pid) == 0 {
                if Cancellation.isRequested {
                    if terminatedAt == nil {
                        kill(-pid, SIGTERM)
                        terminatedAt = Date()
                    } else if let terminatedAt, Date().timeIntervalSince(terminatedAt) > grace {
                        kill(-pid, SIGKILL)
                    }
                }
                usleep(20_000)
            }
            // Whatever of its group is left goes too, while the leader, not yet
            // reaped, keeps the group's id from being given to anyone else.
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        } else {
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        }
        let killed = status & 0x7f != 0
        let code = killed ? status & 0x7f : (status >> 8) & 0xff
        return Result(
            status: code, ending: killed ? "was killed by signal \(code)" : "exited with \(code)",
            output: output, killed: killed
        )
    }

    /// Runs the command; a failure becomes `OrchestratorError(.failed, "<what> failed: <tool> exited with N")`.
    @discardableResult
    public func check(_ what: String, capture: Bool = false, quiet: Bool = false) throws(OrchestratorError) -> Result {
        try run(capture: capture, quiet: quiet).required(what, tool: (executable as NSString).lastPathComponent)
    }

    /// Calls `body` with a NULL-terminated C array of copies of `strings`.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) } + [nil]
        defer { for copy in copies { free(copy) } }
        return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
