import TestbedProtocol

extension Ownership {
    /// Refuses `caller` unless it may do what this rule guards on `deployment`:
    /// act on it as its owner (an operator) or an admin, or read it as its
    /// owner or an admin. Call it where the deployment is read for the change
    /// it guards, so that the answer holds for that record's creation id.
    func check(_ caller: Caller, on deployment: Deployment) throws(RPCError) {
        switch self {
        case .none:
            return
        case .acts(let verb):
            if caller.role == .admin || (caller.role == .operator && deployment.ownerUID == caller.uid) { return }
            let owner = deployment.ownerUID.map { "uid \($0)" } ?? "root"
            throw RPCError(
                .permissionDenied,
                "you (uid \(caller.uid)) may not \(verb) deployment \"\(deployment.name)\": it belongs to \(owner); only its owner or an administrator may")
        case .reads(let what):
            if caller.role == .admin || deployment.ownerUID == caller.uid { return }
            throw RPCError(
                .permissionDenied,
                "you (uid \(caller.uid)) may not read \(what) \"\(deployment.name)\"; only its owner or an administrator may")
        }
    }
}
