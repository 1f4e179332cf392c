import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Round trips of small requests over a blocking Unix socket: to testbedd, and,
/// in the same run, to a trivial echo peer (the floor any server could reach).
enum RequestLatency {
    /// Sends `frame` and reads one frame back, `count` times; returns microseconds per round trip, sorted.
    static func measure(socketFD fd: Int32, frame: [UInt8], count: Int) -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        var header = [UInt8](repeating: 0, count: 4)
        var payload = [UInt8](repeating: 0, count: 1 << 16)
        for _ in 0..<count {
            let start = ContinuousClock.now
            _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard recv(fd, &header, 4, Int32(MSG_WAITALL)) == 4 else { break }
            let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            guard recv(fd, &payload, length, Int32(MSG_WAITALL)) == length else { break }
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
        }
        return samples.sorted()
    }

    static func frame(_ json: String) -> [UInt8] {
        let body = Array(json.utf8)
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + body
    }

    static func connect(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return fd
    }

    /// An echo peer on a socketpair: reads a frame, writes back a frame of `replyBytes`.
    static func echoPair(replyBytes: Int) -> Int32 {
        var fds: [Int32] = [0, 0]
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        let peer = fds[1]
        let reply = frame(String(repeating: " ", count: replyBytes))
        Thread.detachNewThread {
            var header = [UInt8](repeating: 0, count: 4)
            var payload = [UInt8](repeating: 0, count: 1 << 16)
            while recv(peer, &header, 4, Int32(MSG_WAITALL)) == 4 {
                let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
                guard recv(peer, &payload, length, Int32(MSG_WAITALL)) == length else { return }
                _ = reply.withUnsafeBytes { send(peer, $0.baseAddress, $0.count, 0) }
            }
        }
        return fds[0]
    }

    static func summary(_ name: String, _ samples: [Double]) -> String {
        guard !samples.isEmpty else { return "\(name): no samples" }
        func p(_ q: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * q))] }
        let mean = samples.reduce(0, +) / Double(samples.count)
        return String(format: "%@: mean %.1f us, p50 %.1f us, p99 %.1f us (%d round trips)", name, mean, p(0.5), p(0.99), samples.count)
    }
}
