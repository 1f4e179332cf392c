import TestbedProtocol

/// The orchestrator's command line for a deployment command, mirroring
/// kvm-compose's own CLI (see docs/orchestrator.md).
enum OrchestratorCommandLine {
    /// The arguments after `--project-name NAME`.
    static func arguments(for command: DeploymentCommand) -> [String] {
        switch command {
        case .up(let options):
            return ["up"]
                + (options.provision ? ["--provision"] : [])
                + (options.rerunScripts ? ["--rerun-scripts"] : [])
                + (options.reapplyAcl ? ["--reapply-acl"] : [])
        case .down: return ["down"]
        case .generateArtefacts: return ["generate-artefacts"]
        case .clearArtefacts: return ["clear-artefacts"]
        case .testbedSnapshot(let guests): return ["testbed-snapshot"] + (guests ? ["--snapshot-guests"] : [])
        case .snapshot(let snapshot):
            switch snapshot {
            case .create(let target): return ["snapshot", "create"] + targetArguments(target)
            case .delete(let target): return ["snapshot", "delete"] + targetArguments(target)
            case .restore(let target): return ["snapshot", "restore"] + targetArguments(target)
            case .info(let name): return ["snapshot", "info", "--name", name]
            case .list(let name, let all):
                return ["snapshot", "list"] + (all ? ["--all"] : ["--name", name ?? ""])
            }
        }
    }

    private static func targetArguments(_ target: SnapshotCommand.SnapshotTarget) -> [String] {
        target.all ? ["--all"] : ["--name", target.name ?? "", "--snapshot", target.snapshot ?? ""]
    }

    /// Checks that a command's guest and snapshot names make a well-formed
    /// command line: `--name G --snapshot S` or `--all`, never both, and no
    /// value that the orchestrator could take for an option.
    static func validate(_ command: DeploymentCommand) throws(RPCError) {
        guard case .snapshot(let snapshot) = command else { return }
        switch snapshot {
        case .create(let target), .delete(let target), .restore(let target):
            if target.all {
                guard target.name == nil, target.snapshot == nil else {
                    throw .invalidParams(field: "snapshot.all", "give either all:true or a guest name and snapshot, not both")
                }
            } else {
                try checkValue(target.name, field: "snapshot.name", what: "guest name")
                try checkValue(target.snapshot, field: "snapshot.snapshot", what: "snapshot name")
            }
        case .info(let name):
            try checkValue(name, field: "snapshot.name", what: "guest name")
        case .list(let name, let all):
            if all {
                guard name == nil else {
                    throw .invalidParams(field: "snapshot.all", "give either all:true or a guest name, not both")
                }
            } else {
                try checkValue(name, field: "snapshot.name", what: "guest name")
            }
        }
    }

    private static func checkValue(_ value: String?, field: String, what: String) throws(RPCError) {
        guard let value, !value.isEmpty else {
            throw .invalidParams(field: field, "a \(what) is required (or all:true)")
        }
        let allowed = value.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
        guard allowed, !value.hasPrefix("-"), value.utf8.count <= 128 else {
            throw .invalidParams(
                field: field,
                "\(what) \"\(value.prefix(64))\" must be 1 to 128 letters, digits, '.', '_' or '-', not starting with '-'")
        }
    }
}
