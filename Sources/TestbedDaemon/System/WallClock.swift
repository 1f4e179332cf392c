import Foundation

/// The time of day, behind a protocol so tests can fix it.
public protocol WallClock: Sendable {
    func now() -> Date
}
