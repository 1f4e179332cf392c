/// What the person at `testbedctl top` is doing: which deployment is
/// selected, whether a cancel waits for its confirmation or a log is shown,
/// and the last message. Keys change it; what it asks of the daemon comes
/// back as an `Intent`.
struct TopView: Sendable {
    enum Mode: Sendable {
        case dashboard
        /// "cancel up of web? [y/N]": the next key decides.
        case confirmingCancel(TopAction)
        /// One action's log, full-screen.
        case log(LogView)
    }

    /// What a key asks for beyond the view itself.
    enum Intent: Sendable, Equatable {
        case quit
        case follow(TopAction)
        case stopFollowing
        case cancel(TopAction)
    }

    /// The selected deployment, by name, so that it stays selected as others come and go.
    private(set) var selected: String?
    /// The first deployment row on screen.
    var scroll = 0
    var mode = Mode.dashboard
    /// A line for the footer, until the next key.
    var message: String?

    init() {}

    /// The selected deployment's row: the one selected, else the one after
    /// where it was (it was destroyed), else the first.
    func selectedIndex(in model: TopModel) -> Int? {
        guard !model.names.isEmpty else { return nil }
        guard let selected else { return 0 }
        return min(model.insertionPoint(of: selected), model.names.count - 1)
    }

    /// Holds on to the selected row by its name (the first, at the start;
    /// the next one, when the selected deployment was destroyed), so that
    /// deployments created before it do not move the selection.
    mutating func settle(in model: TopModel) -> Int? {
        let index = selectedIndex(in: model)
        selected = index.map { model.names[$0] }
        return index
    }

    /// Applies `key`; `page` is how many deployment rows the screen shows.
    mutating func handle(_ key: Key, in model: TopModel, page: Int) -> Intent? {
        if key == .interrupt { return .quit }
        switch mode {
        case .confirmingCancel(let action):
            mode = .dashboard
            if key == .character("y") || key == .character("Y") {
                message = "cancelling \(action.verb) of \(action.deployment)…"
                return .cancel(action)
            }
            message = "\(action.verb) of \(action.deployment) goes on: not cancelled"
            return nil
        case .log:
            guard key == .escape || key == .character("q") else { return nil }
            mode = .dashboard
            return .stopFollowing
        case .dashboard:
            return handleOnDashboard(key, in: model, page: max(page, 1))
        }
    }

    private mutating func handleOnDashboard(_ key: Key, in model: TopModel, page: Int) -> Intent? {
        message = nil
        let current = selectedIndex(in: model)
        switch key {
        case .up, .character("k"): move(to: (current ?? 0) - 1, in: model)
        case .down, .character("j"): move(to: (current ?? -1) + 1, in: model)
        case .pageUp: move(to: (current ?? 0) - page, in: model)
        case .pageDown: move(to: (current ?? 0) + page, in: model)
        case .home, .character("g"): move(to: 0, in: model)
        case .end, .character("G"): move(to: model.names.count - 1, in: model)
        case .character("q"): return .quit
        case .enter, .character("f"):
            guard let deployment = selectedDeployment(in: model) else { return nil }
            guard let action = deployment.lastAction else {
                message = "no action has run on \(deployment.name) yet"
                return nil
            }
            mode = .log(LogView(action: action))
            return .follow(action)
        case .character("c"):
            guard let deployment = selectedDeployment(in: model) else { return nil }
            guard let action = deployment.lastAction, action.isRunning else {
                message = "no action is running on \(deployment.name): nothing to cancel"
                return nil
            }
            mode = .confirmingCancel(action)
        default:
            break
        }
        return nil
    }

    func selectedDeployment(in model: TopModel) -> TopDeployment? {
        selectedIndex(in: model).flatMap { model.deployments[model.names[$0]] }
    }

    private mutating func move(to index: Int, in model: TopModel) {
        guard !model.names.isEmpty else { return }
        selected = model.names[min(max(index, 0), model.names.count - 1)]
    }

    /// Keeps the selected row within the `rows` shown.
    mutating func scroll(toShow index: Int?, rows: Int, count: Int) {
        guard let index, rows > 0 else {
            scroll = 0
            return
        }
        if index < scroll { scroll = index }
        if index >= scroll + rows { scroll = index - rows + 1 }
        scroll = max(0, min(scroll, max(count - rows, 0)))
    }
}
