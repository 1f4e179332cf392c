import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl top`: deployments, running actions and the daemon's load,
/// kept up to date from the daemon's events.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Show deployments, running actions and the daemon's load, as they change.",
        discussion: """
            On a terminal, a full-screen view: every deployment with its state, owner and last action (with how \
            long it took, or has run), the running actions with their elapsed time and the last line of their \
            log, testbedd's connections, requests per second and memory, and, on a cluster's main, its members \
            and their health. It follows testbedd's events: deployments are read once, at the start.

            Keys: up/down or j/k select a deployment (PgUp/PgDn, g/G or Home/End jump); Enter or f shows its \
            running (else last) action's log, full-screen, as it is written: q or Esc goes back to the \
            dashboard; c cancels its running action after asking "cancel <action> of <name>? [y/N]" (only y \
            cancels); q or Ctrl-C quits.

            When stdout is not a terminal (or with --batch), it prints a plain snapshot every --interval \
            seconds instead, like `top -b`; with --json, one JSON object per snapshot, one per line. \
            -n stops after that many snapshots.
            """)

    @Option(name: [.short, .long], help: ArgumentHelp("Seconds between refreshes of testbedd's figures, and between snapshots.", valueName: "seconds"))
    var interval: Double = 2

    @Option(name: [.customShort("n"), .long], help: ArgumentHelp("Stop after this many snapshots (plain or JSON output).", valueName: "count"))
    var iterations: Int?

    @Flag(name: [.short, .long], help: "Print plain snapshots even on a terminal.")
    var batch = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be from 0.1 to 3600 seconds") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be 1 or more") }
    }

    func run() async throws {
        let interactive = !batch && !global.json && TerminalDevice.isTerminal(0) && TerminalDevice.isTerminal(1)
        let period = Duration.milliseconds(Int64(interval * 1000))
        var stopSignal: Int32?
        try await global.withSession { (session) throws(CLIError) in
            let logs = try await DaemonSession.open(socketPath: session.socketPath)
            let (inputs, sink) = AsyncStream.makeStream(of: TopInput.self)
            var feed = TopFeed(session: session, logs: logs, sink: sink, interval: period)
            let end: TopEnd
            if interactive {
                let terminal: Terminal
                do throws(CLIError) {
                    terminal = try Terminal()
                } catch {
                    await logs.close()
                    throw error
                }
                var dashboard = TopDashboard(
                    terminal: terminal, colours: TerminalStyle.standardOutput(json: false).colours, sink: sink)
                end = await withTaskGroup(of: Void.self) { group in
                    feed.start(in: &group)
                    let end = await dashboard.run(&feed, inputs: inputs, group: &group)
                    group.cancelAll()
                    return end
                }
                terminal.restore()
            } else {
                let batch = TopBatch(json: global.json, interval: period, iterations: iterations)
                end = await withTaskGroup(of: Void.self) { group in
                    feed.start(in: &group)
                    let end = await batch.run(&feed, inputs: inputs, group: &group)
                    group.cancelAll()
                    return end
                }
            }
            sink.finish()
            await logs.close()
            switch end {
            case .quit: break
            case .signal(let signal): stopSignal = signal
            case .failed(let error) where error.status == ExitStatus.unavailable:
                throw CLIError("testbedd went away (\(error.message)); start top again once it is back", status: error.status)
            case .failed(let error):
                throw error
            }
        }
        if let stopSignal { throw ExitCode(128 + stopSignal) }
    }
}
