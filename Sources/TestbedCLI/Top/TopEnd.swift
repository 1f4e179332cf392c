/// How `testbedctl top` ended.
enum TopEnd: Sendable {
    /// `q`, or the last of `--iterations`.
    case quit
    /// A signal asked it to stop.
    case signal(Int32)
    /// The daemon went away, or would not answer.
    case failed(CLIError)
}
