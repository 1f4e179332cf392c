import Foundation

/// One deployment's project as the orchestrator contract hands it over: its
/// folder, its name, its owner and the daemon's state folder. Every file in the
/// project folder is read or written by a process running as the owner.
public struct Project: Sendable {
    public var identity: ProjectIdentity
    public var owner: ProjectOwner

    public init(folder: String, deployment: String, stateFolder: String, owner: ProjectOwner) {
        identity = ProjectIdentity(stateFolder: stateFolder, projectFolder: folder, deployment: deployment)
        self.owner = owner
    }

    public var folder: String { identity.projectFolder }
    public var stateFile: StateFile { StateFile(identity: identity) }

    /// A line for the action's log.
    public func say(_ line: String) {
        // Straight to the log with write(2): no buffer to interleave with the children's output.
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    /// The most of kvm-compose.yaml read: a file swapped for an endless one stops here.
    static let maximumFileBytes = 4 << 20

    /// Reads `kvm-compose.yaml` (as the owner: only a regular file, at most
    /// `maximumFileBytes`) and resolves it.
    public func topology() throws(OrchestratorError) -> Topology {
        let result = try owner.shell(
            #"[ -f kvm-compose.yaml ] || { echo "kvm-compose.yaml is not a regular file" >&2; exit 1; }; exec timeout 10 head -c "$1" -- kvm-compose.yaml"#,
            [String(Self.maximumFileBytes + 1)], in: folder, capture: true, what: "reading kvm-compose.yaml")
        guard result.output.count <= Self.maximumFileBytes else {
            throw OrchestratorError(.invalidProject, "kvm-compose.yaml is larger than \(Self.maximumFileBytes >> 20) MiB")
        }
        guard let text = String(validating: result.output, as: UTF8.self) else {
            throw OrchestratorError(.invalidProject, "kvm-compose.yaml is not UTF-8 text")
        }
        do {
            return try TopologyParser.parse(text)
        } catch {
            let count = error.problems.count
            throw OrchestratorError(.invalidProject, error.problems.map { "kvm-compose.yaml: \($0)" }.joined(separator: "\n")
                + "\n\(count) problem\(count == 1 ? "" : "s") in kvm-compose.yaml; nothing was changed")
        }
    }

    /// The folder a guest's command runs in: `artefacts/<guest>/root`.
    public func guestFolder(_ guest: String) -> String { "\(folder)/artefacts/\(guest)/root" }

    /// Creates each guest's folder (as the owner).
    public func prepareGuestFolders(_ guests: [Guest]) throws(OrchestratorError) {
        guard !guests.isEmpty else { return }
        try owner.shell(#"for guest; do mkdir -p -- "artefacts/$guest/root" || exit 1; done"#, guests.map(\.name), in: folder, what: "creating the guests' folders")
    }

    /// The environment a guest's command or setup script is started with. It
    /// reaches root's `nsenter` and `setpriv` first, so the file's own variables
    /// travel inertly, as `TESTBED_ENV_<i>=NAME=VALUE`, and are exported only by
    /// the owner's shell after the drop (`Project.exportEnvironment`).
    public func guestEnvironment(_ guest: Guest, extra: [String: String]) -> [String: String] {
        var environment = owner.minimalEnvironment
        for (index, variable) in guest.environment.enumerated() {
            environment["TESTBED_ENV_\(index)"] = "\(variable.name)=\(variable.value)"
        }
        environment["TESTBED_ENV_COUNT"] = String(guest.environment.count)
        environment["HOME"] = guestFolder(guest.name)
        environment["TESTBED_GUEST"] = guest.name
        environment["TESTBED_GUEST_DIR"] = guestFolder(guest.name)
        environment["TESTBED_DEPLOYMENT"] = identity.deployment
        environment["TESTBED_PROJECT_DIR"] = folder
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Shell lines, run as the owner, that export the file's variables carried by
    /// `guestEnvironment`. (The parser allows only `[A-Za-z_][A-Za-z0-9_]*` names, none starting
    /// with `TESTBED_`, so the loop's own variables cannot be overwritten.)
    public static let exportEnvironment = #"""
        TESTBED_I=0
        while [ "$TESTBED_I" -lt "${TESTBED_ENV_COUNT:-0}" ]; do
            eval "TESTBED_PAIR=\${TESTBED_ENV_$TESTBED_I}"
            unset "TESTBED_ENV_$TESTBED_I"
            export "$TESTBED_PAIR"
            TESTBED_I=$((TESTBED_I + 1))
        done
        unset TESTBED_ENV_COUNT TESTBED_I TESTBED_PAIR
        """#

    /// The owner's copy of the state, `<deployment>-state.json`: for people; never read back.
    public var ownerCopyName: String { "\(identity.deployment)-state.json" }

    public func writeOwnerCopy(_ state: NetnsState) {
        _ = try? owner.shell(#"cat > "$1.new" && mv -f -- "$1.new" "$1""#, [ownerCopyName], in: folder, input: StateFile.render(state), what: "writing \(ownerCopyName)")
    }

    public func removeOwnerCopy() {
        _ = try? owner.shell(#"rm -f -- "$1""#, [ownerCopyName], in: folder, what: "removing \(ownerCopyName)")
    }
}
