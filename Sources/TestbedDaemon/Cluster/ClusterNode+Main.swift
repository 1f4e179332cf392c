import Foundation
import TestbedPKI
import TestbedProtocol

/// The main's side: membership and the health checks of every member.
extension ClusterNode {
    static let notMain = RPCError(.permissionDenied, "this host is a cluster client; join, heartbeat and leave go to the main")

    /// `cluster.join` from `peer`: validates its host.json, stores it under its chassis. Blocks on disk.
    func join(_ params: JoinParams, from peer: VerifiedPeer, remoteHost: String) throws -> JoinResult {
        guard isMain else { throw Self.notMain }
        try HostValidation.check(params.host, prefix: "host.")
        guard params.host.ovn.chassisName == peer.chassis else {
            throw RPCError(.permissionDenied, "your certificate names chassis \(peer.chassis) but host.ovn.chassis_name is \(params.host.ovn.chassisName); a host joins only as the chassis its certificate names")
        }
        let mainEntries = Set(registry.members().filter { $0.host.isMainHost }.map(\.chassis))
        guard peer.chassis != chassis, peer.chassis != registry.host?.ovn.chassisName, !mainEntries.contains(peer.chassis) else {
            throw RPCError(.permissionDenied, "chassis \(peer.chassis) is the main's own; a member must have a chassis of its own")
        }
        // The address the main stores, dials and hands the orchestrator is the one
        // the member really connects from: no member can point them elsewhere.
        guard IPAddress.canonical(params.host.ip) == remoteHost else {
            throw RPCError.invalidParams(field: "host.ip",
                "host.ip is \(params.host.ip) but this connection comes from \(remoteHost); a member's ip must be the address it reaches the main from (set it with testbedctl config set host on the member)")
        }
        guard (1...65535).contains(params.bridgePort) else {
            throw RPCError.invalidParams(field: "bridge_port", "bridge_port \(params.bridgePort) is not between 1 and 65535")
        }
        guard let own = registry.host else {
            throw RPCError(.invalidState, "the main has no valid host.json yet, so it has no OVN address to give; fix it on the main (testbedctl config set host FILE)")
        }
        var host = params.host
        host.isMainHost = false
        let ovnRemote = "tcp:\(BridgeAddress(host: own.ip, port: 6642))"
        host.ovn.clientOvnRemote = ovnRemote
        let address = BridgeAddress(host: host.ip, port: params.bridgePort).description
        let wasMember = try registry.join(chassis: peer.chassis, host: host, address: address, serial: peer.serial)
        logger.notice("cluster: \(peer.chassis) \(wasMember ? "rejoined" : "joined")", metadata: [
            "chassis": "\(peer.chassis)", "address": "\(address)", "from": "\(remoteHost)", "serial": "\(peer.serial)",
        ])
        return JoinResult(mainChassis: own.ovn.chassisName, ovnRemote: ovnRemote)
    }

    /// `cluster.heartbeat` from `peer`: answered from memory.
    func heartbeat(from peer: VerifiedPeer) throws {
        guard isMain else { throw Self.notMain }
        guard registry.isMember(peer.chassis), peer.chassis != chassis else {
            throw RPCError(.notFound, "chassis \(peer.chassis) is not a member of this cluster; join first (cluster.join)")
        }
        registry.recordHeartbeat(peer.chassis)
    }

    /// `cluster.leave` from `peer`. Blocks on disk.
    func leave(from peer: VerifiedPeer) throws {
        guard isMain else { throw Self.notMain }
        guard peer.chassis != chassis, try registry.remove(chassis: peer.chassis) else {
            throw RPCError(.notFound, "chassis \(peer.chassis) is not a member of this cluster")
        }
        logger.notice("cluster: \(peer.chassis) left", metadata: ["chassis": "\(peer.chassis)"])
    }

    /// `cluster.evict`: an admin removes a member and, unless told not to, revokes
    /// the certificate it joined with. Blocks on disk.
    func evict(_ params: EvictParams) throws -> EvictResult {
        guard isMain else { throw RPCError(.invalidState, "this host is a cluster client; evict members on the main") }
        if let problem = ChassisName.problem(with: params.chassis) {
            throw RPCError.invalidParams(field: "chassis", "\"\(params.chassis)\" is not a chassis name: \(problem)")
        }
        guard params.chassis != chassis else {
            throw RPCError(.invalidParams, "\(params.chassis) is this main itself; it cannot be evicted", data: .object(["field": .string("chassis")]))
        }
        let serial = params.revoke == false ? nil : registry.serial(of: params.chassis)
        guard registry.isMember(params.chassis) || serial != nil else {
            throw RPCError(.notFound, "chassis \(params.chassis) is not a member and never joined this main")
        }
        let wasMember = try registry.remove(chassis: params.chassis, revoking: serial)
        connections.closeAll(of: params.chassis)
        let revoked = serial.map { ", certificate \($0) revoked" } ?? ""
        logger.notice("cluster: \(params.chassis) evicted by an administrator\(revoked)", metadata: ["chassis": "\(params.chassis)"])
        return EvictResult(wasMember: wasMember, revokedSerial: serial)
    }

    /// One round of health checks: every member at once, each bounded by the dialer's timeout.
    func checkMembers() async {
        let members = registry.members().filter { $0.chassis != chassis }
        await withTaskGroup(of: Void.self) { group in
            for member in members {
                group.addTask { await self.check(member) }
            }
        }
    }

    private func check(_ member: ClusterRegistry.Member) async {
        var failure: String?
        if let dialer, let record = member.record, let address = try? BridgeAddress(parsing: record.address, setting: "address") {
            do {
                let status = try await dialer.call(address, expecting: member.chassis, RPCMethod.hostStatus, params: NoParams())
                if status.chassis != member.chassis { failure = "it answered as \(status.chassis)" }
            } catch {
                failure = "\(error)"
            }
        } else {
            failure = dialer == nil ? "this main has no bridge credentials" : "no bridge address is known for it; it must join again"
        }
        let (misses, previous) = registry.recordCheck(member.chassis, succeeded: failure == nil)
        guard let failure else {
            if previous > 0 { logger.notice("cluster: \(member.chassis) is back after \(previous) missed checks") }
            return
        }
        if misses == 1 {
            logger.warning("cluster: \(member.chassis) missed a health check: \(failure)", metadata: ["chassis": "\(member.chassis)"])
        }
        logger.debug("cluster: \(member.chassis) missed check \(misses) of \(configuration.heartbeatMisses)")
        guard misses >= configuration.heartbeatMisses else { return }
        do {
            let threshold = configuration.heartbeatMisses
            let removed = try await offload { [registry] in try registry.removeIfStillMissing(member.chassis, threshold: threshold) }
            if removed {
                connections.closeAll(of: member.chassis)
                logger.warning("cluster: \(member.chassis) evicted after \(misses) missed health checks: \(failure)",
                               metadata: ["chassis": "\(member.chassis)"])
            }
        } catch {
            logger.error("cluster: cannot remove \(member.chassis): \(error)")
        }
    }
}
