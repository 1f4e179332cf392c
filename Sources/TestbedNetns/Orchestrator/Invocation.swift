/// The orchestrator contract's command line (docs/orchestrator.md):
/// `testbed-netns --project-name NAME COMMAND [ARGUMENTS...]`.
public struct Invocation: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case up(provision: Bool, rerunScripts: Bool, reapplyACL: Bool)
        case down
        case generateArtefacts
        case clearArtefacts
        case testbedSnapshot(snapshotGuests: Bool)
        case snapshotCreate(guest: String?, snapshot: String?)
        case snapshotDelete(guest: String?, snapshot: String?)
        case snapshotRestore(guest: String?, snapshot: String?)
        case snapshotInfo(guest: String)
        case snapshotList(guest: String?)
    }

    public var deployment: String
    public var action: Action

    public static let usage = "usage: testbed-netns --project-name NAME (up [--provision] [--rerun-scripts] [--reapply-acl] | down | generate-artefacts | clear-artefacts | testbed-snapshot [--snapshot-guests] | snapshot create|delete|restore (--name GUEST --snapshot SNAP | --all) | snapshot info --name GUEST | snapshot list (--name GUEST | --all))"

    public init(_ arguments: [String]) throws(OrchestratorError) {
        guard arguments.count >= 3, arguments[0] == "--project-name", !arguments[1].isEmpty else {
            throw OrchestratorError(.usage, Self.usage)
        }
        deployment = arguments[1]
        let command = arguments[2]
        var rest = Array(arguments.dropFirst(3))
        func flag(_ name: String) -> Bool {
            guard let index = rest.firstIndex(of: name) else { return false }
            rest.remove(at: index)
            return true
        }
        func value(_ name: String) throws(OrchestratorError) -> String? {
            guard let index = rest.firstIndex(of: name) else { return nil }
            guard index + 1 < rest.count, !rest[index + 1].isEmpty else {
                throw OrchestratorError(.usage, "\(name) needs a value\n\(Self.usage)")
            }
            let value = rest[index + 1]
            rest.removeSubrange(index...index + 1)
            return value
        }
        switch command {
        case "up":
            action = .up(provision: flag("--provision"), rerunScripts: flag("--rerun-scripts"), reapplyACL: flag("--reapply-acl"))
        case "down": action = .down
        case "generate-artefacts": action = .generateArtefacts
        case "clear-artefacts": action = .clearArtefacts
        case "testbed-snapshot": action = .testbedSnapshot(snapshotGuests: flag("--snapshot-guests"))
        case "snapshot":
            guard let sub = rest.first else { throw OrchestratorError(.usage, Self.usage) }
            rest.removeFirst()
            let all = flag("--all")
            let guest = try value("--name")
            let snapshot = try value("--snapshot")
            let pair = all == (guest == nil) && (all ? snapshot == nil : snapshot != nil)
            switch sub {
            case "create" where pair: action = .snapshotCreate(guest: guest, snapshot: snapshot)
            case "delete" where pair: action = .snapshotDelete(guest: guest, snapshot: snapshot)
            case "restore" where pair: action = .snapshotRestore(guest: guest, snapshot: snapshot)
            case "info" where !all && snapshot == nil: 
                guard let guest else { throw OrchestratorError(.usage, "snapshot info needs --name GUEST") }
                action = .snapshotInfo(guest: guest)
            case "list" where all == (guest == nil) && snapshot == nil: action = .snapshotList(guest: guest)
            default: throw OrchestratorError(.usage, Self.usage)
            }
        default:
            throw OrchestratorError(.usage, "unknown command \(command)\n\(Self.usage)")
        }
        guard rest.isEmpty else {
            throw OrchestratorError(.usage, "unexpected argument \(rest[0])\n\(Self.usage)")
        }
    }
}
