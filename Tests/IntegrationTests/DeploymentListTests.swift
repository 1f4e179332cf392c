import Foundation
import Testing
import TestbedProtocol

/// `deployment.list` in pages and with filters, on a real daemon, and the CLI
/// that pages through it.
@Suite struct DeploymentListTests {
    /// A daemon with deployments d00 … d24, of which d03, d13 and d23 are up.
    static func withDeployments(_ body: (Sandbox, RPCConnection) async throws -> Void) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        try await withCleanup {
            for index in 0..<25 {
                let name = String(format: "d%02d", index)
                _ = try await Fixtures.deployment(name, in: sandbox, client: client)
                if index % 10 == 3 {
                    _ = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: name, follow: true), as: ActionOutcome.self)
                }
            }
            try await body(sandbox, client)
        } cleanup: {
            await client.close()
            _ = try? await daemon.stop()
        }
    }

    @Test func pagesCoverTheWholeListOnceInOrder() async throws {
        try await Self.withDeployments { _, client in
            let whole = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams())
            #expect(whole.deployments.count == 25 && whole.next == nil)
            var pages: [DeploymentList] = []
            var params = DeploymentListParams(limit: 10)
            repeat {
                let page = try await client.call(RPCMethod.deploymentList, params: params)
                pages.append(page)
                params.after = page.next
            } while params.after != nil
            #expect(pages.map(\.deployments.count) == [10, 10, 5])
            #expect(pages.map(\.next) == ["d09", "d19", nil])
            #expect(pages.flatMap(\.deployments) == whole.deployments)
            // `after` need not be a name that exists.
            let tail = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams(after: "d225"))
            #expect(tail.deployments.map(\.name) == ["d23", "d24"])
        }
    }

    @Test func theDaemonFiltersByStateAndOwner() async throws {
        try await Self.withDeployments { _, client in
            let up = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams(limit: 2, state: "up"))
            #expect(up.deployments.map(\.name) == ["d03", "d13"])
            #expect(up.next == "d13")
            let rest = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams(limit: 2, after: up.next, state: "up"))
            #expect(rest.deployments.map(\.name) == ["d23"] && rest.next == nil)
            let down = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams(state: "down"))
            #expect(down.deployments.count == 22)
            let mine = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams(owner: getuid()))
            #expect(mine.deployments.count == 25)
            let nobodys = try await client.call(RPCMethod.deploymentList, params: DeploymentListParams(owner: 4_000_000))
            #expect(nobodys.deployments.isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"limit":0}"#, "limit"), (#"{"limit":10001}"#, "limit"), (#"{"state":"sideways"}"#, "state"), (#"{"nme":"x"}"#, "nme"),
    ])
    func badParamsAreRefusedWithTheirField(params: String, field: String) async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        try await withCleanup {
            let answer = try RawClient(path: sandbox.socket).call("deployment.list", params: params)
            #expect(answer.errorCode == -32602)
            #expect(((answer["error"] as? [String: Any])?["data"] as? [String: Any])?["field"] as? String == field)
        } cleanup: {
            _ = try? await daemon.stop()
        }
    }

    @Test func theCLIPagesThroughEverythingAndPrintsOneTable() async throws {
        try await Self.withDeployments { sandbox, _ in
            let listed = try await ProcessRun.run(
                Binaries.testbedctl, ["deployment", "list", "--page-size", "4", "--socket", sandbox.socket])
            #expect(listed.status == 0, "\(listed.stderr)")
            let lines = listed.stdout.split(separator: "\n")
            #expect(lines.count == 26)
            #expect(lines.first?.hasPrefix("NAME") == true)
            #expect(lines.dropFirst().map { String($0.prefix(3)) } == (0..<25).map { String(format: "d%02d", $0) })
            // Every row lines up with the header.
            let stateColumn = try #require(lines.first?.range(of: "STATE")).lowerBound.utf16Offset(in: String(lines[0]))
            #expect(lines.dropFirst().allSatisfy { String($0).dropFirst(stateColumn).hasPrefix("up") || String($0).dropFirst(stateColumn).hasPrefix("down") })
            let filtered = try await ProcessRun.run(
                Binaries.testbedctl, ["deployment", "list", "--state", "up", "--json", "--page-size", "2", "--socket", sandbox.socket])
            let object = try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [[String: Any]]
            #expect(object?.compactMap { $0["name"] as? String } == ["d03", "d13", "d23"])
            let none = try await ProcessRun.run(
                Binaries.testbedctl, ["deployment", "list", "--owner", "4000000", "--socket", sandbox.socket])
            #expect(none.stdout == "no deployments match\n")
            let bad = try await ProcessRun.run(Binaries.testbedctl, ["deployment", "list", "--state", "sideways", "--socket", sandbox.socket])
            #expect(bad.status == 64 && bad.stderr.contains("there is no state \"sideways\""))

            // For scripts: names only, or the table without its header.
            let quiet = try await ProcessRun.run(
                Binaries.testbedctl, ["deployment", "list", "-q", "--state", "up", "--page-size", "2", "--socket", sandbox.socket])
            #expect(quiet.status == 0 && quiet.stdout == "d03\nd13\nd23\n")
            let quietNone = try await ProcessRun.run(
                Binaries.testbedctl, ["deployment", "list", "--quiet", "--owner", "4000000", "--socket", sandbox.socket])
            #expect(quietNone.status == 0 && quietNone.stdout.isEmpty)
            let bare = try await ProcessRun.run(
                Binaries.testbedctl, ["deployment", "list", "--no-headers", "--page-size", "4", "--socket", sandbox.socket])
            #expect(bare.stdout.split(separator: "\n").map { String($0.prefix(3)) } == (0..<25).map { String(format: "d%02d", $0) })
        }
    }
}
