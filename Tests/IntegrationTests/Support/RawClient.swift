import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain blocking client: raw bytes in and out of a Unix
/// socket, so tests can send what no well-behaved client would.
final class RawClient: @unchecked Sendable {
    private var fd: Int32

    init(path: String, timeoutSeconds: Int = 20) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ProcessRunError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8).prefix(raw.count - 1))
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            // deinit runs for an initializer that throws: let it close the socket, once.
            close()
            throw ProcessRunError("connect \(path): \(String(cString: strerror(code)))")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// Half-closes: the daemon sees end of input.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ProcessRunError("send: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Sends one frame: the payload's length, then the payload.
    func sendFrame(_ payload: [UInt8]) throws {
        let n = UInt32(payload.count)
        try send([UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + payload)
    }

    func sendFrame(_ json: String) throws { try sendFrame(Array(json.utf8)) }

    /// Reads exactly `count` bytes; nil at end of stream.
    func read(_ count: Int) throws -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = out[offset...].withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            // A Unix socket closed with input it never read reports ECONNRESET, after its data, instead of end of stream.
            if n == 0 || (n < 0 && errno == ECONNRESET) { return nil }
            guard n > 0 else { throw ProcessRunError("recv: \(String(cString: strerror(errno)))") }
            offset += n
        }
        return out
    }

    /// Reads one frame and parses its JSON payload as an object; nil at end of stream.
    func readFrame() throws -> [String: Any]? {
        guard let header = try read(4) else { return nil }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard let payload = try read(length) else { throw ProcessRunError("stream ended inside a frame") }
        return try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
    }

    /// True when the daemon has closed the connection (reads end of stream).
    func isClosedByPeer() throws -> Bool { try read(1) == nil }

    /// Sends a request and returns the response.
    func call(_ method: String, id: Int = 1, params: String? = nil) throws -> [String: Any] {
        let paramsPart = params.map { #","params":\#($0)"# } ?? ""
        try sendFrame(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)"\#(paramsPart)}"#)
        guard let response = try readFrame() else { throw ProcessRunError("connection closed before the response") }
        return response
    }
}

extension Dictionary where Key == String, Value == Any {
    var errorCode: Int? { (self["error"] as? [String: Any])?["code"] as? Int }
    var errorMessage: String? { (self["error"] as? [String: Any])?["message"] as? String }
    var errorField: String? { ((self["error"] as? [String: Any])?["data"] as? [String: Any])?["field"] as? String }
    var result: [String: Any]? { self["result"] as? [String: Any] }
}
