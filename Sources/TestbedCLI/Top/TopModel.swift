import FoundationEssentials
import TestbedProtocol

/// What `testbedctl top` knows: every deployment with its last action, the
/// cluster's members, and the daemon's figures. It starts from one snapshot
/// and follows the daemon's events from there; it never asks the daemon
/// anything itself.
struct TopModel: Sendable {
    private(set) var deployments: [String: TopDeployment] = [:]
    /// The deployments' names, sorted (byte order, as `deployment.list` has them).
    private(set) var names: [String] = []
    /// The cluster as `cluster.status` showed it, members kept up to date by
    /// events; nil when it could not be read.
    private(set) var cluster: ClusterStatus?
    var figures: DaemonFigures?
    /// Events up to this one are already in the snapshot.
    private(set) var snapshotEvent: UInt64

    /// A model from a snapshot: the deployments, the last action of each
    /// (by deployment name) and the cluster, all read after `server.status`
    /// said its last event was `lastEvent`.
    init(deployments: [Deployment], lastActions: [String: ActionRecord], cluster: ClusterStatus?, lastEvent: UInt64) {
        for deployment in deployments {
            self.deployments[deployment.name] = TopDeployment(
                name: deployment.name, state: deployment.state, owner: deployment.ownerUID,
                lastAction: lastActions[deployment.name].map(TopAction.init))
        }
        names = self.deployments.keys.sorted(by: Self.precedes)
        self.cluster = cluster
        snapshotEvent = lastEvent
    }

    /// The actions running now, the longest-running first.
    var running: [TopAction] {
        deployments.values.compactMap { $0.lastAction?.isRunning == true ? $0.lastAction : nil }
            .sorted { ($0.started, $0.deployment) < ($1.started, $1.deployment) }
    }

    /// The members to show: on a main with other members or a bridge, every
    /// member; nil otherwise (a daemon on its own has no cluster to show).
    var members: [MemberStatus]? {
        guard let cluster, cluster.mode == "main", cluster.bridge != nil || cluster.members.contains(where: { $0.state != "self" })
        else { return nil }
        return cluster.members
    }

    /// Applies one change. Events the snapshot already holds are skipped;
    /// the ones after it may repeat what the snapshot read, and applying them
    /// again leaves the same result.
    mutating func apply(_ event: DaemonEvent) {
        guard event.seq > snapshotEvent else { return }
        switch event.kind {
        case .deploymentCreated:
            guard let name = event.deployment else { return }
            insert(TopDeployment(name: name, state: event.state ?? .down, owner: event.owner, lastAction: nil))
        case .deploymentDestroyed:
            guard let name = event.deployment, deployments.removeValue(forKey: name) != nil else { return }
            if let index = position(of: name) { names.remove(at: index) }
        case .deploymentState:
            guard let name = event.deployment, let state = event.state else { return }
            deployments[name]?.state = state
        case .actionStarted:
            guard let name = event.deployment, let id = event.actionID, let command = event.command,
                deployments[name] != nil
            else { return }
            // The snapshot may have read this action already, even finished.
            if deployments[name]?.lastAction?.id == id { return }
            deployments[name]?.lastAction = TopAction(id: id, deployment: name, command: command, started: event.time)
        case .actionEnded:
            guard let name = event.deployment, let id = event.actionID, deployments[name] != nil else { return }
            if deployments[name]?.lastAction?.id != id {
                guard let command = event.command else { return }
                let started = event.time.addingTimeInterval(-(event.durationSeconds ?? 0))
                deployments[name]?.lastAction = TopAction(id: id, deployment: name, command: command, started: started)
            }
            deployments[name]?.lastAction?.end(event.outcome, duration: event.durationSeconds, at: event.time)
        case .clusterJoined:
            guard let chassis = event.chassis, cluster?.members.contains(where: { $0.chassis == chassis }) == false else { return }
            cluster?.members.append(MemberStatus(chassis: chassis, address: "", lastSeen: event.time, misses: 0, state: "healthy"))
            cluster?.members.sort { $0.chassis < $1.chassis }
        case .clusterEvicted:
            guard let chassis = event.chassis else { return }
            cluster?.members.removeAll { $0.chassis == chassis }
        case .clusterHealth:
            guard let chassis = event.chassis, let index = cluster?.members.firstIndex(where: { $0.chassis == chassis }) else { return }
            cluster?.members[index].state = event.healthy == true ? "healthy" : "missing"
            if event.healthy == true {
                cluster?.members[index].misses = 0
                cluster?.members[index].lastSeen = event.time
            }
        }
    }

    /// Notes the last line of a running action's log.
    mutating func noteLastLine(_ line: String, of actionID: String, deployment: String) {
        guard deployments[deployment]?.lastAction?.id == actionID, deployments[deployment]?.lastAction?.isRunning == true
        else { return }
        deployments[deployment]?.lastAction?.lastLine = line
    }

    private mutating func insert(_ deployment: TopDeployment) {
        if deployments.updateValue(deployment, forKey: deployment.name) == nil {
            let index = insertionPoint(of: deployment.name)
            names.insert(deployment.name, at: index)
        }
    }

    /// Where `name` is, or would go, in `names`.
    func insertionPoint(of name: String) -> Int {
        var low = 0, high = names.count
        while low < high {
            let middle = (low + high) / 2
            if Self.precedes(names[middle], name) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func position(of name: String) -> Int? {
        let index = insertionPoint(of: name)
        return index < names.count && names[index] == name ? index : nil
    }

    /// Byte order, as the daemon sorts names.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
