import FoundationEssentials
import TestbedProtocol

/// `testbedctl top` when stdout is not a terminal (or with `--batch` or
/// `--json`): a snapshot every interval, as plain text or one JSON object per
/// line, like `top -b`; after `iterations` of them, it stops.
struct TopBatch {
    let json: Bool
    let interval: Duration
    let iterations: Int?

    init(json: Bool, interval: Duration, iterations: Int?) {
        self.json = json
        self.interval = interval
        self.iterations = iterations
    }

    func run(_ feed: inout TopFeed, inputs: AsyncStream<TopInput>, group: inout TaskGroup<Void>) async -> TopEnd {
        let sink = feed.sink, tick = min(interval, .milliseconds(250))
        group.addTask {
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                sink.yield(.tick)
            }
        }
        var model: TopModel?
        var figuresAsked = false
        var printed = 0
        var next: ContinuousClock.Instant?
        for await input in inputs {
            _ = feed.apply(input, to: &model, in: &group)
            switch input {
            case .failed(let error):
                return .failed(error)
            case .notice(let text):
                StandardStream.error.write("testbedctl: \(text)\n")
                figuresAsked = true
            case .figures:
                figuresAsked = true
            default:
                break
            }
            // The first snapshot waits for the daemon's figures, or for their failure.
            guard let model, figuresAsked else { continue }
            let now = ContinuousClock.now
            if let next, now < next { continue }
            // Whoever read the output has gone (`top -b | head`): nothing more to do.
            guard print(model) else { return .quit }
            printed += 1
            if let iterations, printed >= iterations { return .quit }
            let planned = (next ?? now) + interval
            next = planned > now ? planned : now + interval
        }
        return .quit
    }

    /// Prints a snapshot; false when stdout is closed.
    private func print(_ model: TopModel) -> Bool {
        let now = Date()
        if json { return StandardStream.output.attemptWrite(TopReport(model, now: now).line) }
        let lines = TopRenderer(now: now, ownerName: UserName.describe).report(model)
        return StandardStream.output.attemptWrite(lines.map(\.text).joined(separator: "\n") + "\n\n")
    }
}
