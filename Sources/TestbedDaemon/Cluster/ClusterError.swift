/// What can go wrong with the cluster's files, in the registry's terms; the
/// method layer words it for the wire (`RPCError(wire:)`).
public enum ClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member's certificate was revoked (checked again under the writer).
    case revoked(chassis: String, serial: String)
    /// A cluster file could not be written; the sentence says which and why.
    case storage(String)

    public var description: String {
        switch self {
        case .revoked(let chassis, let serial): "the certificate of \(chassis) (serial \(serial)) has been revoked"
        case .storage(let sentence): sentence
        }
    }
}
