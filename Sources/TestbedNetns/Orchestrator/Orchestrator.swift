import Foundation

/// testbed-netns: one orchestrator action, from the contract's command line
/// and environment (docs/orchestrator.md) to its exit status.
public enum Orchestrator {
    /// Runs `arguments` (without argv[0]) and returns the exit status.
    public static func main(_ arguments: [String], environment: [String: String]) -> Int32 {
        // testbedd starts us in the project folder, which its owner controls: root works from /.
        _ = chdir("/")
        Cancellation.install()
        do {
            try run(arguments, environment: environment)
            return 0
        } catch {
            FileHandle.standardError.write(Data(error.message.split(separator: "\n", omittingEmptySubsequences: false).map { "testbed-netns: \($0)\n" }.joined().utf8))
            return error.code.exitStatus
        }
    }

    static func run(_ arguments: [String], environment: [String: String]) throws(OrchestratorError) {
        let invocation = try Invocation(arguments)
        guard geteuid() == 0 else {
            throw OrchestratorError(.usage, "testbed-netns must run as root: it creates network namespaces (testbedd runs it as root)")
        }
        guard let stateFolder = environment["TESTBED_STATE_DIR"], stateFolder.hasPrefix("/") else {
            throw OrchestratorError(.usage, "TESTBED_STATE_DIR is not set to an absolute path: testbed-netns is run by testbedd (docs/orchestrator.md)")
        }
        guard let ownerText = environment["TESTBED_OWNER_UID"], let uid = UInt32(ownerText) else {
            throw OrchestratorError(.usage, "TESTBED_OWNER_UID is not set to a uid: testbed-netns is run by testbedd (docs/orchestrator.md)")
        }
        let folder = environment["TESTBED_PROJECT_DIR"] ?? FileManager.default.currentDirectoryPath
        let project = Project(folder: folder, deployment: invocation.deployment, stateFolder: stateFolder, owner: ProjectOwner(uid: uid))
        let deployer = Deployer(project: project, guests: GuestSupervisors.forThisHost(project.identity))
        let snapshots = Snapshots(deployer: deployer)
        let artefacts = Artefacts(snapshots: snapshots)
        switch invocation.action {
        case let .up(provision, rerunScripts, reapplyACL):
            try deployer.up(provision: provision, rerunScripts: rerunScripts, reapplyACL: reapplyACL)
        case .down: try deployer.down()
        case .generateArtefacts: try artefacts.generate()
        case .clearArtefacts: try artefacts.clear()
        case let .testbedSnapshot(snapshotGuests): try artefacts.testbedSnapshot(snapshotGuests: snapshotGuests)
        case let .snapshotCreate(guest, snapshot):
            if let guest, let snapshot { try snapshots.create(guest: guest, snapshot: snapshot) } else { _ = try snapshots.createAll() }
        case let .snapshotDelete(guest, snapshot):
            if let guest, let snapshot { try snapshots.delete(guest: guest, snapshot: snapshot) } else { try snapshots.deleteAll() }
        case let .snapshotRestore(guest, snapshot):
            if let guest { try snapshots.restore(guest: guest, snapshot: snapshot) } else { try snapshots.restoreAll() }
        case let .snapshotInfo(guest): try snapshots.info(guest: guest)
        case let .snapshotList(guest): try snapshots.list(guest: guest)
        }
    }
}
