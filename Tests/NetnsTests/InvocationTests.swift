import Testing
import TestbedNetns

@Suite struct InvocationTests {
    @Test func theContractsCommandLinesParse() throws {
        #expect(try Invocation(["--project-name", "lab", "up", "--provision", "--reapply-acl"]).action
            == .up(provision: true, rerunScripts: false, reapplyACL: true))
        #expect(try Invocation(["--project-name", "lab", "down"]).action == .down)
        #expect(try Invocation(["--project-name", "lab", "snapshot", "create", "--name", "web", "--snapshot", "s1"]).action
            == .snapshotCreate(guest: "web", snapshot: "s1"))
        #expect(try Invocation(["--project-name", "lab", "snapshot", "restore", "--all"]).action
            == .snapshotRestore(guest: nil, snapshot: nil))
        #expect(try Invocation(["--project-name", "lab", "snapshot", "list", "--name", "web"]).action == .snapshotList(guest: "web"))
        #expect(try Invocation(["--project-name", "lab", "testbed-snapshot", "--snapshot-guests"]).action
            == .testbedSnapshot(snapshotGuests: true))
    }

    @Test func anythingElseIsAUsageError() {
        for argv in [
            ["up"], ["--project-name", "lab", "frobnicate"], ["--project-name", "lab", "up", "--force"],
            ["--project-name", "lab", "snapshot", "create", "--name", "web"],
            ["--project-name", "lab", "snapshot", "create", "--all", "--name", "web", "--snapshot", "s"],
            ["--project-name", "lab", "snapshot", "info", "--all"], ["--project-name", "lab", "snapshot", "create", "--name"],
        ] {
            #expect(throws: OrchestratorError.self, "\(argv)") { try Invocation(argv) }
            let code = (try? Invocation(argv)) == nil ? Self.code(argv) : nil
            #expect(code == 64, "\(argv)")
        }
    }

    static func code(_ argv: [String]) -> Int32? {
        do {
            _ = try Invocation(argv)
            return nil
        } catch {
            return error.code.exitStatus
        }
    }
}
