import Foundation

/// One program run to completion: argv without a shell, an explicit environment,
/// stdin from bytes or /dev/null, stdout captured or passed through to ours (the
/// action's log). stderr always goes to ours, so a tool's own message reaches the log.
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
    }

    /// Runs the command and waits for it. `capture` keeps stdout; otherwise stdout
    /// is ours, or /dev/null with `quiet`.
    @discardableResult
    public func run(capture: Bool = false, quiet: Bool = false) throws(OrchestratorError) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder, isDirectory: true) }
        let inputPipe = input.map { _ in Pipe() }
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        let outputPipe = capture ? Pipe() : nil
        if let outputPipe {
            process.standardOutput = outputPipe
        } else if quiet {
            process.standardOutput = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            throw OrchestratorError(.failed, "cannot start \(executable): \(error.localizedDescription)")
        }
        if let inputPipe, let input {
            // A writer thread: a large input must not block while the child's output fills its pipe.
            let handle = inputPipe.fileHandleForWriting
            Thread.detachNewThread {
                try? handle.write(contentsOf: Data(input))
                try? handle.close()
            }
        }
        var output: [UInt8] = []
        if let outputPipe {
            output = [UInt8]((try? outputPipe.fileHandleForReading.readToEnd()) ?? Data())
        }
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal
        let status = process.terminationStatus
        return Result(
            status: status, ending: killed ? "was killed by signal \(status)" : "exited with \(status)",
            output: output, killed: killed
        )
    }

    /// Runs the command; a failure becomes `OrchestratorError(.failed, "<what> failed: <tool> exited with N")`.
    @discardableResult
    public func check(_ what: String, capture: Bool = false, quiet: Bool = false) throws(OrchestratorError) -> Result {
        let result = try run(capture: capture, quiet: quiet)
        guard result.succeeded else {
            throw Cancellation.isRequested
                ? OrchestratorError.cancelled
                : OrchestratorError(.failed, "\(what) failed: \((executable as NSString).lastPathComponent) \(result.ending)")
        }
        return result
    }
}
