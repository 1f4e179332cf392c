import Logging
import NIOCore
import TestbedProtocol

/// The bridge's connections, bounded: so many handshakes at once overall, so
/// many verified connections per chassis, and the refusals logged at a rate a
/// journal can take. An evicted member's connections are closed at once.
final class BridgeConnections: Sendable {
    /// Handshakes in progress at once, all peers together.
    static let maxHandshakes = 64
    /// Handshakes in progress at once from one address: no single host can take all the slots.
    static let maxHandshakesPerAddress = 8
    /// Verified connections one chassis may hold at once.
    static let maxPerChassis = 8
    /// Refusals logged in full per minute; the rest are counted.
    static let refusalsLoggedPerMinute = 20

    private struct State {
        var handshakes = 0
        var handshakesFrom: [String: Int] = [:]
        var verified: [String: [ObjectIdentifier: any Channel]] = [:]
    }

    private let state = Locked(State())
    private let refusals = RateLimitedLog(linesPerWindow: BridgeConnections.refusalsLoggedPerMinute, window: .minutes(1))

    /// Takes a handshake slot for a peer at `address`; false when all are taken,
    /// or all of that address's share.
    func beginHandshake(from address: String) -> Bool {
        state.withLock { state in
            guard state.handshakes < Self.maxHandshakes, state.handshakesFrom[address, default: 0] < Self.maxHandshakesPerAddress else {
                return false
            }
            state.handshakes += 1
            state.handshakesFrom[address, default: 0] += 1
            return true
        }
    }

    func endHandshake(from address: String) {
        state.withLock { state in
            state.handshakes -= 1
            state.handshakesFrom[address, default: 1] -= 1
            if state.handshakesFrom[address] == 0 { state.handshakesFrom[address] = nil }
        }
    }

    /// Records `channel` as a connection of `chassis`, removed when it closes;
    /// false when the chassis already holds its share.
    func admit(_ channel: any Channel, as chassis: String) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = state.withLock { state in
            guard state.verified[chassis, default: [:]].count < Self.maxPerChassis else { return false }
            state.verified[chassis, default: [:]][key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                state.withLock { state in
                    state.verified[chassis]?[key] = nil
                    if state.verified[chassis]?.isEmpty == true { state.verified[chassis] = nil }
                }
            }
        }
        return admitted
    }

    /// Closes every connection of `chassis` (after an eviction or a revocation).
    func closeAll(of chassis: String) {
        let channels = state.withLock { Array(($0.verified[chassis] ?? [:]).values) }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Logs a refused peer, unless refusals come faster than the journal should
    /// take; those are counted, and the count is logged with the next line.
    func logRefusal(from remote: String, _ reason: String, logger: Logger) {
        refusals.record { suppressed in
            if suppressed > 0 { logger.notice("bridge: \(suppressed) more refused peers were not logged") }
            logger.notice("bridge: refused a peer from \(remote): \(reason)")
        }
    }
}
