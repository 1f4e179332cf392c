import FoundationEssentials
import TestbedProtocol

/// Lays out what `testbedctl top` shows, from the model alone: the
/// full-screen dashboard and log for a terminal of a given size (every line
/// cut to its width, never more lines than its height), and the plain report
/// printed when the output is not a terminal.
struct TopRenderer {
    /// The time the elapsed times are counted to.
    var now: Date
    /// How an owner is shown: a user name, else the uid.
    var ownerName: (UInt32?) -> String

    init(now: Date, ownerName: @escaping (UInt32?) -> String = { $0.map(String.init) ?? "-" }) {
        self.now = now
        self.ownerName = ownerName
    }

    static let help = "↑/↓ j/k: select  Enter/f: follow its log  c: cancel its action  q: quit"

    // MARK: The dashboard

    /// The dashboard, `height` lines of at most `width` columns; keeps the
    /// selected row on screen by moving `view.scroll`.
    func dashboard(_ model: TopModel, view: inout TopView, width: Int, height: Int) -> [ScreenLine] {
        guard width > 0, height > 0 else { return [] }
        let top = [header(model.figures), summary(model), ScreenLine()]
        let running = model.running
        let members = model.members ?? []

        // The deployments' rows get what the other sections leave, at least
        // three (or all of them, when fewer) while the others can shrink.
        let fixed = top.count + 2  // the deployments' header, and the footer
        var runningRows = running.count, memberRows = members.count
        func others() -> Int { (running.isEmpty ? 0 : runningRows + 2) + (members.isEmpty ? 0 : memberRows + 2) }
        let wanted = min(max(model.names.count, 1), 3)
        while height - fixed - others() < wanted, runningRows > 1 || memberRows > 1 {
            if runningRows >= memberRows { runningRows -= 1 } else { memberRows -= 1 }
        }
        let deploymentRows = max(height - fixed - others(), 1)

        let selected = view.settle(in: model)
        view.scroll(toShow: selected, rows: deploymentRows, count: model.names.count)
        let visible = model.names.isEmpty ? [] : Array(model.names[view.scroll..<min(view.scroll + deploymentRows, model.names.count)])
        var lines = top
        lines += deploymentTable(model, visible: visible, selected: selected.map { model.names[$0] }, width: width)
        if !running.isEmpty {
            lines.append(ScreenLine())
            lines += runningTable(Array(running.prefix(runningRows)), total: running.count, width: width)
        }
        if !members.isEmpty {
            lines.append(ScreenLine())
            lines += memberTable(Array(members.prefix(memberRows)), marks: true)
        }
        // The footer always takes the last line.
        lines = Array(lines.prefix(height - 1))
        lines += Array(repeating: ScreenLine(), count: height - 1 - lines.count)
        return lines.map { $0.fitted(to: width) } + [footer(view).fitted(to: width)]
    }

    /// One action's log, full-screen: a title, its last lines, and how to go back.
    func log(_ log: LogView, width: Int, height: Int) -> [ScreenLine] {
        guard width > 0, height > 0 else { return [] }
        let action = log.action
        var lines = [ScreenLine("log of \(action.verb) of \(action.deployment) (action \(action.id.prefix(8)))", look: .bold)]
        let room = max(height - 2, 0)
        lines += log.lines.suffix(room).map { ScreenLine($0) }
        lines += Array(repeating: ScreenLine(), count: max(0, height - 1 - lines.count))
        var footer = ScreenLine()
        if let ending = log.ending {
            footer.append(ending, .bold)
        } else {
            footer.append("following, started \(Self.clock(now.timeIntervalSince(action.started))) ago", .dim)
        }
        footer.append("  q/Esc: back to the dashboard", .dim)
        return Array(lines.prefix(height - 1)).map { $0.fitted(to: width) } + [footer.fitted(to: width)]
    }

    // MARK: The plain report

    /// Everything, for output that is not a terminal: no selection, no
    /// footer, lines at their full length.
    func report(_ model: TopModel) -> [ScreenLine] {
        var lines = [header(model.figures, time: true), summary(model), ScreenLine()]
        lines += deploymentTable(model, visible: model.names, selected: nil, width: nil)
        lines.append(ScreenLine())
        let running = model.running
        if running.isEmpty {
            lines.append(ScreenLine("no action is running"))
        } else {
            lines += runningTable(running, total: running.count, width: nil)
        }
        if let members = model.members {
            lines.append(ScreenLine())
            lines += memberTable(members, marks: false)
        }
        return lines
    }

    // MARK: Sections

    func header(_ figures: DaemonFigures?, time: Bool = false) -> ScreenLine {
        var line = ScreenLine()
        if time { line.append(Output.describe(now) + "  ") }
        guard let figures else {
            line.append("testbedd: reading its status…", .dim)
            return line
        }
        line.append("testbedd \(figures.version)", .bold)
        line.append("  pid \(figures.pid)  up \(StatusCommand.duration(figures.uptimeSeconds))")
        line.append("  \(figures.connections) connection\(figures.connections == 1 ? "" : "s")")
        line.append("  " + (figures.requestsPerSecond.map(Self.rate) ?? "-") + " req/s")
        line.append("  " + (figures.memoryBytes.map(Self.bytes) ?? "-") + " memory")
        line.append("  \(figures.mode)")
        if let reachable = figures.mainReachable {
            line.append(reachable ? ", main reachable" : ", main unreachable", reachable ? .plain : .colour(.red))
        }
        return line
    }

    func summary(_ model: TopModel) -> ScreenLine {
        var counts: [String: Int] = [:]
        for deployment in model.deployments.values { counts[deployment.state.summary, default: 0] += 1 }
        var line = ScreenLine("\(model.names.count) deployment\(model.names.count == 1 ? "" : "s")")
        var first = true
        for state in ["up", "down", "running", "failed"] {
            guard let count = counts[state] else { continue }
            line.append(first ? ": " : ", ")
            line.append("\(count) ")
            line.append(state, TerminalStyle.colour(ofWord: state).map(ScreenLine.Look.colour) ?? .plain)
            first = false
        }
        return line
    }

    /// The deployments' header and rows; on a terminal (`width` given) with a
    /// column for the selection mark, and names cut when they would push the
    /// other columns out.
    func deploymentTable(_ model: TopModel, visible: [String], selected: String?, width: Int?) -> [ScreenLine] {
        if model.names.isEmpty {
            return [ScreenLine("no deployments; create one with `testbedctl deployment create` in a project folder")]
        }
        let headers = ["NAME", "STATE", "OWNER", "LAST ACTION", "RESULT", "TOOK"]
        var rows: [[Cell]] = []
        for name in visible {
            guard let deployment = model.deployments[name] else { continue }
            let action = deployment.lastAction
            let result = action.map { ($0.result ?? .running).tableWord } ?? "-"
            rows.append([
                Cell(name), Cell(Output.describe(deployment.state), Self.look(of: deployment.state)),
                Cell(ownerName(deployment.owner)), Cell(action?.verb ?? "-"),
                Cell(result, TerminalStyle.colour(ofWord: result).map(ScreenLine.Look.colour) ?? .plain),
                Cell(action.map(took) ?? "-"),
            ])
        }
        let marks = width != nil
        var widths = Self.widths(rows, headers: headers)
        if let width {
            // The name gives way first, down to 8 columns.
            let others = widths.dropFirst().reduce(0, +) + 2 * (widths.count - 1) + 2
            let room = max(8, width - others)
            if widths[0] > room {
                widths[0] = room
                for index in rows.indices { rows[index][0].text = Self.ellipsized(rows[index][0].text, to: room) }
            }
        }
        var lines = [Self.line(headers.map { Cell($0, .bold) }, widths: widths, mark: marks ? "  " : nil)]
        for (name, row) in zip(visible, rows) {
            var line = Self.line(row, widths: widths, mark: marks ? (name == selected ? "> " : "  ") : nil)
            line.highlighted = name == selected
            lines.append(line)
        }
        return lines
    }

    /// The running actions; on a terminal (`width` given), deployment names
    /// are cut to leave the log line at least 20 columns.
    func runningTable(_ running: [TopAction], total: Int, width: Int?) -> [ScreenLine] {
        let headers = [total > running.count ? "RUNNING (\(running.count) of \(total))" : "RUNNING", "ACTION", "ELAPSED", "LAST LOG LINE"]
        var rows = running.map { action in
            [Cell(action.deployment), Cell(action.verb), Cell(Self.clock(now.timeIntervalSince(action.started))),
             Cell(action.lastLine ?? "", .dim)]
        }
        var widths = Self.widths(rows, headers: headers)
        if let width {
            let room = max(8, width - 2 - widths[1] - widths[2] - 3 * 2 - 20)
            if widths[0] > room {
                widths[0] = room
                for index in rows.indices { rows[index][0].text = Self.ellipsized(rows[index][0].text, to: room) }
            }
        }
        let mark = width != nil ? "  " : nil
        return [Self.line(headers.map { Cell($0, .bold) }, widths: widths, mark: mark)]
            + rows.map { Self.line($0, widths: widths, mark: mark) }
    }

    func memberTable(_ members: [MemberStatus], marks: Bool) -> [ScreenLine] {
        let headers = ["MEMBER", "ADDRESS", "HEALTH", "MISSES", "LAST SEEN"]
        let rows = members.map { member in
            let look: ScreenLine.Look =
                switch member.state {
                case "healthy": .colour(.green)
                case "missing": .colour(.red)
                case "unchecked": .colour(.yellow)
                default: .plain
                }
            return [
                Cell(member.chassis), Cell(member.address.isEmpty ? "-" : member.address), Cell(member.state, look),
                Cell(String(member.misses)),
                Cell(member.lastSeen.map { Self.clock(now.timeIntervalSince($0)) + " ago" } ?? "-"),
            ]
        }
        let widths = Self.widths(rows, headers: headers)
        let mark = marks ? "  " : nil
        return [Self.line(headers.map { Cell($0, .bold) }, widths: widths, mark: mark)]
            + rows.map { Self.line($0, widths: widths, mark: mark) }
    }

    func footer(_ view: TopView) -> ScreenLine {
        if case .confirmingCancel(let action) = view.mode {
            return ScreenLine("cancel \(action.verb) of \(action.deployment)? [y/N]", look: .colour(.yellow))
        }
        if let message = view.message { return ScreenLine(message, look: .bold) }
        return ScreenLine(Self.help, look: .dim)
    }

    /// How long an action took, or has run so far.
    func took(_ action: TopAction) -> String {
        if let duration = action.duration { return ActionRun.format(.milliseconds(Int64(duration * 1000))) }
        return Self.clock(now.timeIntervalSince(action.started))
    }

    // MARK: Cells and formats

    struct Cell {
        var text: String
        var look: ScreenLine.Look
        init(_ text: String, _ look: ScreenLine.Look = .plain) {
            self.text = text
            self.look = look
        }
    }

    static func look(of state: DeploymentState) -> ScreenLine.Look { .colour(TerminalStyle.colour(of: state)) }

    static func widths(_ rows: [[Cell]], headers: [String]) -> [Int] {
        var widths = headers.map(TerminalText.width)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], TerminalText.width(cell.text))
            }
        }
        return widths
    }

    /// Cells padded to their columns' widths, two spaces apart, the last unpadded.
    static func line(_ cells: [Cell], widths: [Int], mark: String?) -> ScreenLine {
        var line = ScreenLine(mark ?? "")
        for (index, cell) in cells.enumerated() {
            line.append(cell.text, cell.look)
            guard index < cells.count - 1 else { break }
            line.append(String(repeating: " ", count: max(0, widths[index] - TerminalText.width(cell.text)) + 2))
        }
        return line
    }

    /// `text` in at most `width` columns, ending in `…` when cut.
    static func ellipsized(_ text: String, to width: Int) -> String {
        guard TerminalText.width(text) > width else { return text }
        return TerminalText.fit(text, to: max(width - 1, 0)) + "…"
    }

    /// Seconds as a running clock: `7s`, `1m 05s`, `2h 03m`.
    static func clock(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(two(total % 60))s" }
        return "\(total / 3600)h \(two(total / 60 % 60))m"
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond < 10 ? String(Double(Int((perSecond * 10).rounded())) / 10) : String(Int(perSecond.rounded()))
    }

    static func bytes(_ count: Double) -> String {
        let mebibytes = count / 1_048_576
        if mebibytes < 1 { return "\(Int((count / 1024).rounded())) KiB" }
        return mebibytes < 1024 ? "\(rate(mebibytes)) MiB" : "\(rate(mebibytes / 1024)) GiB"
    }
}
