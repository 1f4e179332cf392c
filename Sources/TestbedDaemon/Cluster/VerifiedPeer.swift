/// A bridge peer whose certificate passed every check: the chassis it names
/// and its serial number.
public struct VerifiedPeer: Sendable, Hashable {
    public let chassis: String
    public let serial: String
}
