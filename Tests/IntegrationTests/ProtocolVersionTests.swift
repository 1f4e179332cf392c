import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// testbedctl says hello first and stops, clearly, before a daemon of another protocol version.
@Suite struct ProtocolVersionTests {
    @Test func aDaemonOfAnotherProtocolIsRefused() async throws {
        let sandbox = try Sandbox()
        let listener = try FutureDaemon(path: sandbox.socket)
        let run = try await ProcessRun.run(Binaries.testbedctl, ["status", "--socket", sandbox.socket])
        #expect(run.status == 76, "\(run.stderr)")
        #expect(run.stderr.contains("speaks protocol 2 but this testbedctl speaks 1"))
        // Nothing else was sent: read up to testbedctl's close, so that a request it
        // sent after hello (and did not wait for) would be counted.
        #expect(try await listener.clientLeft(), "testbedctl's connection was not closed")
        #expect(listener.requestsSeen == ["rpc.hello"])
    }

    @Test func versionShowsBothSidesEvenWhenTheirProtocolsDiffer() async throws {
        let sandbox = try Sandbox()
        let listener = try FutureDaemon(path: sandbox.socket)
        let run = try await ProcessRun.run(Binaries.testbedctl, ["version", "--socket", sandbox.socket])
        #expect(run.status == 76, "\(run.stderr)")
        #expect(run.stdout == "client: testbedctl 0.1.0, protocol 1\ndaemon: testbedd 9.0.0, protocol 2, at \(sandbox.socket)\n")
        #expect(run.stderr.contains("speaks protocol 2 but this testbedctl speaks 1"))
        _ = try await listener.clientLeft()

        let json = try await ProcessRun.run(Binaries.testbedctl, ["version", "--json", "--socket", sandbox.path + "/none.sock"])
        #expect(json.status == 69)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((report?["client"] as? [String: Any])?["protocol"] as? Int == 1)
        #expect(report?["daemon"] is NSNull, "one shape: daemon is null when it cannot be reached")
    }

    @Test func versionAgainstTheRealDaemon() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        let run = try await ProcessRun.run(Binaries.testbedctl, ["version", "--socket", sandbox.socket])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("daemon: testbedd 0.1.0, protocol 1"))
        #expect(try await daemon.stop() == 0)
    }
}

/// A stand-in for a newer testbedd: answers every request as protocol 2 would.
final class FutureDaemon: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var methods: [String] = []
    private var closed = false

    var requestsSeen: [String] { lock.withLock { methods } }

    /// Waits until the client's connection has closed and every request it sent
    /// has been read; false after `timeout`.
    func clientLeft(timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lock.withLock({ closed }) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    init(path: String) throws {
        fd = try bindUnixSocket(path, type: Int32(SOCK_STREAM.rawValue))
        guard listen(fd, 4) == 0 else { throw ProcessRunError("cannot listen on \(path)") }
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        let client = accept(fd, nil, nil)
        guard client >= 0 else { return }
        defer {
            close(client)
            lock.withLock { closed = true }
        }
        while true {
            var header = [UInt8](repeating: 0, count: 4)
            // 0 at the client's close, after everything it sent.
            guard recv(client, &header, 4, Int32(MSG_WAITALL)) == 4 else { return }
            let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            var payload = [UInt8](repeating: 0, count: length)
            // Whatever else arrives is counted, even a frame that is cut short or not JSON.
            guard recv(client, &payload, length, Int32(MSG_WAITALL)) == length else {
                lock.withLock { methods.append("<a frame cut short>") }
                return
            }
            guard let request = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
                lock.withLock { methods.append("<not a JSON object>") }
                continue
            }
            lock.withLock { methods.append(request["method"] as? String ?? "?") }
            let id = request["id"] as? Int ?? 0
            let reply = Array(#"{"id":\#(id),"jsonrpc":"2.0","result":{"identity":{"gid":0,"groups":[],"pid":1,"role":"admin","uid":0},"mode":"main","protocol":2,"server":"testbedd","version":"9.0.0"}}"#.utf8)
            let n = UInt32(reply.count)
            let frame = [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + reply
            _ = send(client, frame, frame.count, Int32(MSG_NOSIGNAL))
        }
    }

    deinit { close(fd) }
}
