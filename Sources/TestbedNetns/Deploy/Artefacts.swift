import Foundation

/// `generate-artefacts`, `clear-artefacts` and `testbed-snapshot`: the project's
/// `artefacts/` folder, written by the owner.
public struct Artefacts: Sendable {
    public var snapshots: Snapshots

    public init(snapshots: Snapshots) { self.snapshots = snapshots }

    var project: Project { snapshots.project }

    /// Checks kvm-compose.yaml, creates each guest's folder and writes
    /// `artefacts/topology.json`: the resolved topology with its names.
    public func generate() throws(OrchestratorError) {
        let topology = try project.topology()
        try project.prepareGuestFolders(topology.guests)
        let plan = DeploymentPlan(topology: topology, identity: project.identity)
        var state = NetnsState(plan: plan, ownerUID: project.owner.uid)
        state.phase = .planned
        state.updatedAt = StateFile.now()
        try project.owner.shell(#"cat > artefacts/topology.json.new && mv -f artefacts/topology.json.new artefacts/topology.json"#, in: project.folder, input: StateFile.render(state), what: "writing artefacts/topology.json")
        project.say("artefacts are in \(project.folder)/artefacts: \(topology.guests.count) guest folders and topology.json")
    }

    /// Removes `artefacts/`; refused while the testbed is deployed.
    public func clear() throws(OrchestratorError) {
        if try project.stateFile.load() != nil {
            throw OrchestratorError(.wrongState, "\(project.identity.deployment) is deployed; run `testbedctl down \(project.identity.deployment)` before clearing its artefacts")
        }
        try project.owner.shell("rm -rf -- artefacts", in: project.folder, what: "removing artefacts")
        project.say("artefacts removed")
    }

    /// Packs the project's artefacts and kvm-compose.yaml into one archive in the project folder.
    public func testbedSnapshot(snapshotGuests: Bool) throws(OrchestratorError) {
        if snapshotGuests { _ = try snapshots.createAll() }
        let archive = "\(project.identity.deployment)-testbed-snapshot-\(Snapshots.timestamp()).tar.gz"
        try project.owner.shell(#"""
            [ -d artefacts ] || mkdir artefacts
            tar -czf "$1.part" -- kvm-compose.yaml artefacts && mv -f -- "$1.part" "$1"
            """#, [archive], in: project.folder, what: "packing \(archive)")
        project.say("testbed snapshot: \(project.folder)/\(archive)")
    }
}
