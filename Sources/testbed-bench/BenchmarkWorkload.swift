import Foundation
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// What the benchmarks put in a daemon, and raw reads of it.
enum BenchmarkWorkload {
    /// A project folder holding a kvm-compose.yaml.
    static func project(in work: String) throws -> String {
        let folder = work + "/project"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("machines: []\n".utf8).write(to: URL(fileURLWithPath: folder + "/kvm-compose.yaml"))
        return folder
    }

    /// Creates `count` deployments named dep00000…, `window` requests in flight at a time; returns the seconds it took.
    static func create(_ count: Int, project: String, on client: RPCConnection, window: Int = 64) async throws -> Double {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                if i >= window { try await group.next() }
                group.addTask {
                    let _: Deployment = try await client.call(
                        RPCMethod.deploymentCreate, params: CreateParams(name: String(format: "dep%05d", i), projectLocation: project))
                }
            }
            try await group.waitForAll()
        }
        return Run.seconds(ContinuousClock.now - start)
    }

    /// The size of `deployment.get`'s answer for "bench".
    static func deploymentReplyBytes(_ client: RPCConnection) async throws -> Int {
        let call = try client.start(RPCMethod.deploymentGet, params: NameParams(name: "bench"))
        for try await event in call.events { if case .result(let payload) = event { return payload.count } }
        throw BenchError("no answer to deployment.get")
    }

    /// Reads every page of `deployment.list` (1,000 per page) over a blocking
    /// socket, as raw frames, finding `next` without decoding the rows; returns milliseconds.
    static func rawPages(socket path: String) throws -> (milliseconds: Double, rows: Int) {
        let fd = RawSocket.connect(path)
        defer { close(fd) }
        var after: String?
        var pages: [[UInt8]] = []
        let start = ContinuousClock.now
        repeat {
            let params = after.map { #"{"limit":1000,"after":"\#($0)"}"# } ?? #"{"limit":1000}"#
            let payload = try RawSocket.call(fd, #"{"jsonrpc":"2.0","id":1,"method":"deployment.list","params":\#(params)}"#)
            after = payload.trailingStringMember("next")
            pages.append(payload)
        } while after != nil
        let milliseconds = Run.seconds(ContinuousClock.now - start) * 1000
        return (milliseconds, pages.reduce(0) { $0 + $1.count(of: Array(#""project_location":"#.utf8)) })
    }
}

/// A blocking Unix socket speaking the framing directly.
enum RawSocket {
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

    /// Sends one frame and returns the payload of the next.
    static func call(_ fd: Int32, _ json: String) throws -> [UInt8] {
        let body = Array(json.utf8)
        let n = UInt32(body.count)
        let frame = [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + body
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var header = [UInt8](repeating: 0, count: 4)
        guard recv(fd, &header, 4, Int32(MSG_WAITALL)) == 4 else { throw BenchError("the daemon closed the connection") }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        var payload = [UInt8](repeating: 0, count: length)
        guard recv(fd, &payload, length, Int32(MSG_WAITALL)) == length else { throw BenchError("a short answer") }
        return payload
    }
}

extension [UInt8] {
    /// How many times `needle` occurs.
    func count(of needle: [UInt8]) -> Int {
        var count = 0
        var rest = self[...]
        while let hit = rest.firstRange(of: needle) {
            count += 1
            rest = rest[hit.upperBound...]
        }
        return count
    }

    /// The plain string value of the member `"name":"…"` that ends the
    /// object (in sorted keys, `next` comes after `deployments`), if any.
    func trailingStringMember(_ name: String) -> String? {
        let tail = suffix(512)
        guard let key = tail.ranges(of: Array("\"\(name)\":\"".utf8)).last,
            let end = tail[key.upperBound...].firstIndex(of: UInt8(ascii: "\""))
        else { return nil }
        return String(decoding: tail[key.upperBound..<end], as: UTF8.self)
    }
}
