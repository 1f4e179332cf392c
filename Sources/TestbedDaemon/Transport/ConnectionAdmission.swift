import TestbedProtocol

/// Decides at accept whether a connection is served, so that no caller can
/// take the descriptors everyone else needs: a cap per uid over both Unix
/// sockets (uid 0 exempt), a cap on the world-connectable read-only socket, and
/// a cap on all connections below the descriptor limit, the last
/// `ConnectionLimits.privilegedConnections` of which only uid 0 and admins get.
/// A refused connection is told why and closed at once.
final class ConnectionAdmission: Sendable {
    /// Who is connecting, as far as admission cares.
    struct Applicant: Sendable {
        /// The peer's uid; nil for a bridge peer (all share a placeholder uid,
        /// and the bridge caps them per chassis).
        var uid: UInt32?
        /// Came through the read-only socket.
        var readOnly: Bool
        /// uid 0 or a member of the admin group.
        var privileged: Bool
    }

    /// A served connection's place, given back when it closes.
    struct Ticket: Sendable {
        fileprivate let applicant: Applicant
    }

    private struct Counts {
        var total = 0
        var readOnly = 0
        var perUID: [UInt32: Int] = [:]
    }

    /// The cap on all connections, already fitted under the descriptor limit.
    let maxConnections: Int
    let maxPerUID: Int
    let maxReadOnly: Int
    private let counts = Locked(Counts())

    init(limits: ConnectionLimits, descriptorLimit: Int) {
        self.maxConnections = limits.effectiveMaxConnections(descriptorLimit: descriptorLimit)
        self.maxPerUID = limits.maxConnectionsPerUID
        self.maxReadOnly = limits.maxReadOnlyConnections
    }

    /// Connections open now.
    var openConnections: Int { counts.withLock { $0.total } }

    /// Admits `applicant`, or says why not (an error to send before closing).
    func admit(_ applicant: Applicant) -> Result<Ticket, RPCError> {
        counts.withLock { counts in
            if counts.total >= maxConnections {
                return .failure(RPCError(.busy, "testbedd is serving its maximum of \(maxConnections) connections (max_connections); try again later"))
            }
            if !applicant.privileged, counts.total >= maxConnections - ConnectionLimits.privilegedConnections {
                return .failure(RPCError(.busy, "testbedd is serving \(counts.total) connections; the last \(ConnectionLimits.privilegedConnections) of its \(maxConnections) (max_connections) are kept for root and admins; try again later"))
            }
            if applicant.readOnly, counts.readOnly >= maxReadOnly {
                return .failure(RPCError(.busy, "the read-only socket is serving its maximum of \(maxReadOnly) connections (max_ro_connections); try again later, or use the read-write socket if you are in its group"))
            }
            if let uid = applicant.uid, uid != 0, counts.perUID[uid, default: 0] >= maxPerUID {
                return .failure(RPCError(.busy, "uid \(uid) already holds \(maxPerUID) connections to testbedd (max_connections_per_uid); close some and try again"))
            }
            counts.total += 1
            if applicant.readOnly { counts.readOnly += 1 }
            if let uid = applicant.uid, uid != 0 { counts.perUID[uid, default: 0] += 1 }
            return .success(Ticket(applicant: applicant))
        }
    }

    /// Gives back the place of a connection that closed.
    func release(_ ticket: Ticket) {
        counts.withLock { counts in
            counts.total -= 1
            if ticket.applicant.readOnly { counts.readOnly -= 1 }
            if let uid = ticket.applicant.uid, uid != 0 {
                let left = counts.perUID[uid, default: 1] - 1
                counts.perUID[uid] = left > 0 ? left : nil
            }
        }
    }
}
