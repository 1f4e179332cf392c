import FoundationEssentials
import Testing
import TestbedProtocol
@testable import TestbedCLI

/// What `testbedctl top` draws, from the model alone: never a line wider than
/// the screen, never more lines than it has, the selection kept in view.
@Suite struct TopRendererTests {
    static let t0 = TopModelTests.t0

    static func model(count: Int, running: Int = 0, longName: Bool = false) -> TopModel {
        var deployments: [Deployment] = []
        var actions: [String: ActionRecord] = [:]
        for i in 0..<count {
            let name = (longName ? "a-deployment-with-a-rather-long-name-" : "d") + String(format3(i))
            let isRunning = i < running
            deployments.append(TopModelTests.deployment(name, isRunning ? .running : .up, last: "id\(i)"))
            actions[name] = TopModelTests.record("id\(i)", of: name, finished: !isRunning)
        }
        var model = TopModel(deployments: deployments, lastActions: actions, cluster: nil, lastEvent: 0)
        for i in 0..<running {
            let name = model.names[i]
            model.noteLastLine("log line of \(name) that goes on and on and on well past any narrow terminal", of: "id\(i)", deployment: name)
        }
        model.figures = DaemonFigures(
            status: ServerStatus(
                version: "0.1.0", pid: 42, uptimeSeconds: 3725, openConnections: 5, deployments: count, store: "file",
                stateDir: "/s", socketActivated: false),
            metrics: "process_resident_memory_bytes 44040192\n", previous: nil)
        return model
    }

    static func format3(_ i: Int) -> String { i < 10 ? "00\(i)" : i < 100 ? "0\(i)" : "\(i)" }

    @Test(arguments: [(60, 20), (200, 50), (20, 5), (80, 3), (1, 1)])
    func theDashboardFitsTheScreen(width: Int, height: Int) {
        for model in [Self.model(count: 40, running: 5, longName: true), Self.model(count: 0), Self.model(count: 2, running: 2)] {
            var view = TopView()
            let renderer = TopRenderer(now: Self.t0.addingTimeInterval(75))
            let lines = renderer.dashboard(model, view: &view, width: width, height: height)
            #expect(lines.count == height)
            for line in lines {
                #expect(line.width <= width, "\(line.text)")
                let encoded = line.encoded(width: width, colours: true)
                #expect(TerminalText.width(encoded) <= width, "\(encoded)")
            }
            // The footer says which keys do what.
            #expect(height < 2 || lines.last?.text == String(TopRenderer.help.prefix(width)) || width < 10)
        }
    }

    @Test func theDashboardShowsRowsRunningActionsAndFigures() {
        let model = Self.model(count: 3, running: 1)
        var view = TopView()
        let lines = TopRenderer(now: Self.t0.addingTimeInterval(75)).dashboard(model, view: &view, width: 200, height: 30)
        let text = lines.map(\.text)
        #expect(text[0].contains("testbedd 0.1.0") && text[0].contains("pid 42") && text[0].contains("5 connections"))
        #expect(text[0].contains("42 MiB memory") && text[0].contains("- req/s"))
        #expect(text[1] == "3 deployments: 2 up, 1 running")
        #expect(text.contains { $0.hasPrefix("> d000  running  1000   up           running  1m 15s") })
        #expect(text.contains { $0.hasPrefix("  d001  up       1000   up           ok       3.5s") })
        #expect(text.contains { $0.contains("d000") && $0.contains("up") && $0.contains("1m 15s") && $0.contains("log line of d000") })
        #expect(lines.first { $0.text.hasPrefix("> d000") }?.highlighted == true)
    }

    @Test func narrowScreensCutNamesFirstWithAnEllipsis() {
        let model = Self.model(count: 3, longName: true)
        var view = TopView()
        let lines = TopRenderer(now: Self.t0).dashboard(model, view: &view, width: 60, height: 12)
        let row = lines.first { $0.text.hasPrefix("> ") }!.text
        #expect(row.contains("…") && row.contains("up") && row.contains("ok"), "\(row)")
        #expect(TerminalText.width(row) <= 60)
    }

    @Test func theSelectionMovesAndStaysInView() {
        let model = Self.model(count: 40)
        var view = TopView()
        let renderer = TopRenderer(now: Self.t0)
        for _ in 0..<30 { _ = view.handle(.down, in: model, page: 10) }
        let lines = renderer.dashboard(model, view: &view, width: 80, height: 15)
        #expect(lines.contains { $0.text.hasPrefix("> d030") })
        _ = view.handle(.character("k"), in: model, page: 10)
        _ = view.handle(.character("g"), in: model, page: 10)
        #expect(view.selectedDeployment(in: model)?.name == "d000")
        _ = view.handle(.end, in: model, page: 10)
        #expect(view.selectedDeployment(in: model)?.name == "d039")
        let end = renderer.dashboard(model, view: &view, width: 80, height: 15)
        #expect(end.contains { $0.text.hasPrefix("> d039") })
    }

    @Test func cancelAsksFirstAndOnlyYCancels() {
        let model = Self.model(count: 2, running: 1)
        var view = TopView()
        #expect(view.handle(.character("c"), in: model, page: 10) == nil)
        let prompt = TopRenderer(now: Self.t0).dashboard(model, view: &view, width: 80, height: 10).last!.text
        #expect(prompt == "cancel up of d000? [y/N]")
        #expect(view.handle(.character("n"), in: model, page: 10) == nil)
        #expect(view.message == "up of d000 goes on: not cancelled")
        _ = view.handle(.character("c"), in: model, page: 10)
        guard case .cancel(let action) = view.handle(.character("y"), in: model, page: 10) else {
            Issue.record("y did not cancel")
            return
        }
        #expect(action.id == "id0")
        // Nothing runs on the other one: nothing to ask.
        _ = view.handle(.down, in: model, page: 10)
        #expect(view.handle(.character("c"), in: model, page: 10) == nil)
        #expect(view.message == "no action is running on d001: nothing to cancel")
    }

    @Test func followingShowsTheLogAndQGoesBack() {
        let model = Self.model(count: 1, running: 1)
        var view = TopView()
        guard case .follow(let action) = view.handle(.enter, in: model, page: 10), case .log(var log) = view.mode else {
            Issue.record("Enter did not follow")
            return
        }
        log.append(Array((1...30).map { "line \($0)\n" }.joined().utf8))
        let lines = TopRenderer(now: Self.t0.addingTimeInterval(5)).log(log, width: 40, height: 10)
        #expect(lines.count == 10 && lines[0].text == "log of up of d000 (action id0)")
        #expect(lines[8].text == "line 30" && lines[1].text == "line 23")
        #expect(lines[9].text.hasPrefix("following, started 5s ago"))
        #expect(action.id == "id0")
        #expect(view.handle(.character("q"), in: model, page: 10) == .stopFollowing)
        #expect(view.handle(.character("q"), in: model, page: 10) == .quit)
    }

    @Test func thePlainReportHasEverythingUncut() {
        let model = Self.model(count: 2, running: 1, longName: true)
        let text = TopRenderer(now: Self.t0.addingTimeInterval(3)).report(model).map(\.text)
        #expect(text[0].hasPrefix("2025-11-30 12:33:23Z  testbedd 0.1.0"))
        #expect(text.contains { $0.hasPrefix("NAME") })
        #expect(text.contains { $0.contains("log line of a-deployment-with-a-rather-long-name-000 that goes on and on and on well past any narrow terminal") })
        let report = TopReport(model, now: Self.t0.addingTimeInterval(3))
        #expect(report.line.hasPrefix("{\"daemon\":{") && report.line.hasSuffix("}\n") && !report.line.dropLast().contains("\n"))
        #expect(report.line.contains(#""running":["a-deployment-with-a-rather-long-name-000"]"#), "\(report.line)")
        #expect(report.line.contains(#""result":"running""#) && !report.line.contains(#""id":"#), "\(report.line)")
    }

    @Test func keysFromRawBytes() {
        let parser = KeyParser()
        #expect(parser.keys(in: Array("\u{1B}[A\u{1B}[B\u{1B}OA".utf8)) == [.up, .down, .up])
        #expect(parser.keys(in: Array("jkq\r".utf8)) == [.character("j"), .character("k"), .character("q"), .enter])
        #expect(parser.keys(in: [0x1B]) == [.escape])
        #expect(parser.keys(in: [0x03]) == [.interrupt])
        #expect(parser.keys(in: Array("\u{1B}[5~\u{1B}[6~\u{1B}[H\u{1B}[F".utf8)) == [.pageUp, .pageDown, .home, .end])
        #expect(parser.keys(in: Array("\u{1B}[1;5C".utf8)) == [])
    }
}
