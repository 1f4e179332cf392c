import FoundationEssentials
import TestbedProtocol

/// `testbedctl top` on a terminal: the dashboard, redrawn when something
/// shown changes (at most four times a second) and at once after a key.
struct TopDashboard {
    let terminal: Terminal
    let colours: Bool
    let sink: AsyncStream<TopInput>.Continuation

    private var model: TopModel?
    private var view = TopView()
    /// The log shown full-screen: its follow's number and request.
    private var following: (follow: Int, request: RequestID?)?

    init(terminal: Terminal, colours: Bool, sink: AsyncStream<TopInput>.Continuation) {
        self.terminal = terminal
        self.colours = colours
        self.sink = sink
    }

    /// Runs until `q`, a signal, or the daemon goes away.
    mutating func run(_ feed: inout TopFeed, inputs: AsyncStream<TopInput>, group: inout TaskGroup<Void>) async -> TopEnd {
        let sink = self.sink
        terminal.listen { sink.yield($0) }
        group.addTask {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                sink.yield(.tick)
            }
        }
        draw()
        var dirty = false
        var drawnSecond = Int(Date().timeIntervalSince1970)
        for await input in inputs {
            if feed.apply(input, to: &model, in: &group) { dirty = true }
            switch input {
            case .key(let key):
                guard let model else {
                    if key == .character("q") || key == .interrupt { return .quit }
                    continue
                }
                switch view.handle(key, in: model, page: max(terminal.size.rows - 10, 1)) {
                case .quit:
                    return .quit
                case .follow(let action):
                    following = feed.follow(action, in: &group)
                case .stopFollowing:
                    if let request = following?.request { feed.stopFollowing(request, in: &group) }
                    following = nil
                case .cancel(let action):
                    feed.cancel(action, in: &group)
                case nil:
                    break
                }
                draw()
                dirty = false
            case .resize:
                terminal.invalidate()
                draw()
                dirty = false
            case .tick:
                let second = Int(Date().timeIntervalSince1970)
                guard dirty || second != drawnSecond else { continue }
                draw()
                dirty = false
                drawnSecond = second
            case .stop(let signal):
                return .signal(signal)
            case .failed(let error):
                return .failed(error)
            case .notice(let text):
                view.message = text
                dirty = true
            case .logText(let follow, let text):
                guard follow == following?.follow, case .log(var log) = view.mode else { continue }
                // Out of the view while it grows, so that its lines are not copied.
                view.mode = .dashboard
                log.append(text)
                view.mode = .log(log)
                dirty = true
            case .logEnded(let follow, let ending):
                guard follow == following?.follow, case .log(var log) = view.mode else { continue }
                view.mode = .dashboard
                log.finish(ending)
                view.mode = .log(log)
                following?.request = nil
                dirty = true
            default:
                continue
            }
        }
        return .quit
    }

    private mutating func draw() {
        let (width, height) = terminal.size
        let renderer = TopRenderer(now: Date(), ownerName: UserName.describe)
        let lines: [ScreenLine]
        if let model {
            if case .log(let log) = view.mode {
                lines = renderer.log(log, width: width, height: height)
            } else {
                lines = renderer.dashboard(model, view: &view, width: width, height: height)
            }
        } else {
            lines = [ScreenLine("testbedctl top: reading testbedd's deployments…", look: .dim)]
        }
        terminal.draw(lines.map { $0.encoded(width: width, colours: colours) })
    }
}
