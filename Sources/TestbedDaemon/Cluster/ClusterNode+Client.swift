import Foundation
import TestbedProtocol

/// A client's side: join the main, beat, rejoin when it comes back.
extension ClusterNode {
    /// One check of the main: a join when not a member, else a heartbeat.
    func checkMain() async {
        guard case .client(let main) = mode else { return }
        guard let dialer else { return }
        guard let bridgeAddress else { return }
        if link.withLock({ $0.joined }) {
            do {
                _ = try await dialer.call(main, expecting: configuration.mainChassis, RPCMethod.clusterHeartbeat, params: NoParams())
                let remote = link.withLock { link in
                    link.reachable = true
                    link.lastContact = Date()
                    link.lastError = nil
                    return link.ovnRemote
                }
                // An ovs-vsctl that failed is tried again at each check, until it works.
                if let remote { await useRemote(remote) }
                return
            } catch let error as RPCError where error.code == .notFound {
                logger.notice("cluster: the main no longer lists this host; joining again")
                link.withLock { $0.joined = false }
            } catch {
                lost(main, error)
                return
            }
        }
        let generation = link.withLock { $0.hostGeneration }
        guard let host = registry.host else {
            lost(main, RPCError(.invalidState, "this host has no valid host.json to send; set one with testbedctl config set host FILE"))
            return
        }
        do {
            let result = try await dialer.call(
                main, expecting: configuration.mainChassis, RPCMethod.clusterJoin,
                params: JoinParams(host: host, bridgePort: bridgeAddress.port))
            let rejoined = link.withLock { link in
                defer {
                    // A host.json changed while this join was on its way is sent at the next check.
                    link.joined = link.hostGeneration == generation
                    link.everJoined = true
                    link.reachable = true
                    link.lastContact = Date()
                    link.lastError = nil
                    link.ovnRemote = result.ovnRemote
                }
                return link.everJoined
            }
            logger.notice("cluster: \(rejoined ? "rejoined" : "joined") the main \(configuration.mainChassis) at \(main)")
            await useRemote(result.ovnRemote)
        } catch {
            lost(main, error)
        }
    }

    /// Records a failed exchange with the main; logs it when the link was up or the reason changed.
    private func lost(_ main: BridgeAddress, _ error: any Error) {
        let reason = "\(error)"
        let (wasUp, previous) = link.withLock { link in
            defer {
                link.joined = false
                link.reachable = false
                link.lastError = reason
            }
            return (link.reachable, link.lastError)
        }
        if wasUp {
            logger.warning("cluster: lost the main \(configuration.mainChassis) at \(main): \(reason); will rejoin when it answers")
        } else if previous != reason {
            logger.warning("cluster: cannot reach the main \(configuration.mainChassis) at \(main): \(reason)")
        }
    }

    /// Records the main's OVN remote in host.json and applies it with ovs-vsctl
    /// when there is one, unless that is already done.
    private func useRemote(_ remote: String) async {
        if let host = registry.host, host.ovn.clientOvnRemote != remote {
            do {
                try await offload { [registry] in
                    try registry.updateHost(isMain: false) { $0.ovn.clientOvnRemote = remote }
                }
            } catch {
                logger.error("cluster: cannot record ovn.client_ovn_remote in \(registry.hostPath): \(error)")
            }
        }
        guard link.withLock({ $0.appliedRemote != remote }) else { return }
        guard let tool = OVSRemote.tool() else {
            link.withLock { $0.appliedRemote = remote }
            logger.info("cluster: no ovs-vsctl on this host; OVN remote \(remote) recorded in host.json only")
            return
        }
        let failure: String?
        do {
            failure = try await offload { OVSRemote.apply(remote, tool: tool) }
        } catch {
            failure = "ovs-vsctl could not be run: \(error)"
        }
        let previous = link.withLock { link in
            defer {
                link.ovnRemoteError = failure
                if failure == nil { link.appliedRemote = remote }
            }
            return link.ovnRemoteError
        }
        if let failure {
            registry.setProblem("ovs-vsctl", "cannot point Open vSwitch at \(remote): \(failure)")
            if failure != previous { logger.error("cluster: cannot point Open vSwitch at \(remote): \(failure)") }
        } else {
            registry.setProblem("ovs-vsctl", nil)
            logger.info("cluster: Open vSwitch now uses OVN remote \(remote)")
        }
    }
}
