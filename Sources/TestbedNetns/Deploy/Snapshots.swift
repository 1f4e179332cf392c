import Foundation

/// Guest snapshots: a copy of `artefacts/<guest>/root` kept under
/// `artefacts/snapshots/<guest>/<snapshot>`, made and restored by the owner.
public struct Snapshots: Sendable {
    public var deployer: Deployer

    public init(deployer: Deployer) { self.deployer = deployer }

    var project: Project { deployer.project }

    /// The guest named `name` in kvm-compose.yaml.
    func guest(_ name: String) throws(OrchestratorError) -> Guest {
        let guests = try project.topology().guests
        guard let guest = guests.first(where: { $0.name == name }) else {
            throw OrchestratorError(.notFound, "there is no guest \(name) in kvm-compose.yaml (guests: \(guests.map(\.name).joined(separator: ", ")))")
        }
        return guest
    }

    static func checkName(_ snapshot: String) throws(OrchestratorError) {
        guard snapshot != ".", snapshot != ".." else {
            throw OrchestratorError(.usage, "\(snapshot) is not a snapshot name")
        }
    }

    /// Runs an owner script whose exit status 3, 4 or 5 means a conflict, a wrong
    /// state or something not found (it says which on stderr, in the log).
    func ownerStep(_ script: String, _ arguments: [String], what: String) throws(OrchestratorError) {
        let result = try project.owner.run(script, arguments, in: project.folder)
        guard !result.succeeded else { return }
        switch result.status {
        case 3: throw OrchestratorError(.conflict, "\(what) failed")
        case 4: throw OrchestratorError(.wrongState, "\(what) failed")
        case 5: throw OrchestratorError(.notFound, "\(what) failed")
        default: throw OrchestratorError(.failed, "\(what) failed: sh \(result.ending)")
        }
    }

    public func create(guest name: String, snapshot: String) throws(OrchestratorError) {
        try Self.checkName(snapshot)
        _ = try guest(name)
        try ownerStep(#"""
            [ -d "artefacts/$1/root" ] || { echo "$1 has no folder yet: run up or generate-artefacts first" >&2; exit 4; }
            [ ! -e "artefacts/snapshots/$1/$2" ] || { echo "$1 already has a snapshot $2" >&2; exit 3; }
            mkdir -p -- "artefacts/snapshots/$1" && cp -a -- "artefacts/$1/root" "artefacts/snapshots/$1/$2"
            """#, [name, snapshot], what: "snapshot \(snapshot) of \(name)")
        project.say("\(name): snapshot \(snapshot) created")
    }

    /// Snapshots every guest that has a folder, under one name made from the time.
    public func createAll() throws(OrchestratorError) -> String {
        let snapshot = "snapshot-" + Self.timestamp()
        for guest in try project.topology().guests {
            try ownerStep(#"""
                [ -d "artefacts/$1/root" ] || exit 0
                mkdir -p -- "artefacts/snapshots/$1" && cp -a -- "artefacts/$1/root" "artefacts/snapshots/$1/$2"
                """#, [guest.name, snapshot], what: "snapshot \(snapshot) of \(guest.name)")
        }
        project.say("every guest: snapshot \(snapshot) created")
        return snapshot
    }

    public func delete(guest name: String, snapshot: String) throws(OrchestratorError) {
        try Self.checkName(snapshot)
        _ = try guest(name)
        try ownerStep(#"""
            [ -d "artefacts/snapshots/$1/$2" ] || { echo "$1 has no snapshot $2" >&2; exit 5; }
            rm -rf -- "artefacts/snapshots/$1/$2"
            """#, [name, snapshot], what: "deleting snapshot \(snapshot) of \(name)")
        project.say("\(name): snapshot \(snapshot) deleted")
    }

    public func deleteAll() throws(OrchestratorError) {
        try ownerStep(#"rm -rf -- artefacts/snapshots"#, [], what: "deleting every snapshot")
        project.say("every snapshot deleted")
    }

    /// Stops the guest's command, puts the snapshot's copy in place of its
    /// folder, and starts the command again if the testbed is up.
    public func restore(guest name: String, snapshot: String?) throws(OrchestratorError) {
        if let snapshot { try Self.checkName(snapshot) }
        try restore(try guest(name), snapshot: snapshot, deployed: isDeployed)
    }

    /// Restores each guest's newest snapshot, for the guests that have one; the
    /// file and the state are read once for all of them.
    public func restoreAll() throws(OrchestratorError) {
        let guests = try project.topology().guests
        let listed = try project.owner.shell(
            #"for guest; do [ -n "$(ls -A -- "artefacts/snapshots/$guest" 2>/dev/null)" ] && echo "$guest"; done; true"#,
            guests.map(\.name), in: project.folder, capture: true, what: "listing the snapshots")
        let withSnapshots = Set(String(decoding: listed.output, as: UTF8.self).split(separator: "\n").map(String.init))
        let deployed = isDeployed
        for guest in guests where withSnapshots.contains(guest.name) {
            try restore(guest, snapshot: nil, deployed: deployed)
        }
    }

    private var isDeployed: Bool { (try? project.stateFile.load())?.phase == .up }

    private func restore(_ guest: Guest, snapshot: String?, deployed: Bool) throws(OrchestratorError) {
        let name = guest.name
        // Without a name: the newest snapshot.
        let chosen = #"""
            snap=${2:-$(ls -t -- "artefacts/snapshots/$1" 2>/dev/null | head -n 1)}
            [ -n "$snap" ] && [ -d "artefacts/snapshots/$1/$snap" ] || { echo "$1 has no snapshot ${2:-to restore}" >&2; exit 5; }
            """#
        // Checked before the guest is stopped: a missing snapshot stops nothing.
        try ownerStep(chosen, [name, snapshot ?? ""], what: "restoring \(name)")
        if deployed { stopGuest(guest) }
        try ownerStep(chosen + #"""

            rm -rf -- "artefacts/$1/root.restoring" &&
            cp -a -- "artefacts/snapshots/$1/$snap" "artefacts/$1/root.restoring" &&
            rm -rf -- "artefacts/$1/root" &&
            mv -- "artefacts/$1/root.restoring" "artefacts/$1/root" &&
            echo "$1: snapshot $snap restored"
            """#, [name, snapshot ?? ""], what: "restoring \(name)")
        if deployed, guest.command != nil {
            _ = try deployer.guests.start(deployer.launch(for: guest))
            project.say("\(name): command started again")
        }
    }

    /// Stops whatever runs in the guest's namespace (its unit first, under systemd).
    func stopGuest(_ guest: Guest) {
        deployer.guests.stopGuest(guest.name, unit: deployer.identity.guestUnit(guest.name))
        if let inode = NetworkNamespace(deployer.identity.guestNamespace(guest.name)).inode {
            NamespaceProcesses.stop(inNamespaces: [inode], grace: 3)
        }
    }

    public func list(guest name: String?) throws(OrchestratorError) {
        let names: [String]
        if let name { names = [try guest(name).name] } else { names = try project.topology().guests.map(\.name) }
        try ownerStep(#"""
            for guest; do
                echo "$guest:"
                ls -1 -t -- "artefacts/snapshots/$guest" 2>/dev/null | sed 's/^/  /'
            done
            """#, names, what: "listing snapshots")
    }

    public func info(guest name: String) throws(OrchestratorError) {
        let guest = try guest(name)
        let running = NetworkNamespace(deployer.identity.guestNamespace(guest.name)).inode
            .map { NamespaceProcesses.pids(inNamespaces: [$0]).count } ?? 0
        project.say("\(guest.name): namespace \(deployer.identity.guestNamespace(guest.name)), \(running) processes running")
        try ownerStep(#"""
            echo "folder: artefacts/$1/root ($(du -sh -- "artefacts/$1/root" 2>/dev/null | cut -f1 || echo none))"
            echo "snapshots:"
            cd "artefacts/snapshots/$1" 2>/dev/null || { echo "  none"; exit 0; }
            for snap in $(ls -1 -t); do echo "  $snap  $(date -u -r "$snap" +%Y-%m-%dT%H:%M:%SZ)  $(du -sh -- "$snap" | cut -f1)"; done
            """#, [guest.name], what: "describing \(guest.name)")
    }

    /// Now, as a name part: `20261130T074621Z`.
    static func timestamp() -> String {
        nameStyle.format(Date())
    }

    private static let nameStyle = Date.ISO8601FormatStyle(dateSeparator: .omitted, timeSeparator: .omitted, timeZone: .gmt)
}
