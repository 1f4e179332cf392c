import Foundation

/// A bridge peer whose certificate passed every check: the chassis it names,
/// its serial number, and when it expires (checked again on every request).
public struct VerifiedPeer: Sendable, Hashable {
    public let chassis: String
    public let serial: String
    public let notValidAfter: Date
}
