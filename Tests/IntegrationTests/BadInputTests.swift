import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile and broken input on the raw socket: each gets a clear refusal with
/// the right code, and the daemon goes on serving everyone else.
@Suite struct BadInputTests {
    /// Runs `body` against a fresh daemon, which must still stop gracefully afterwards.
    func withDaemon(_ body: (Sandbox) async throws -> Void) async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox, extra: ["--max-frame-bytes", "4096"])
        do {
            try await body(sandbox)
        } catch {
            _ = try? await daemon.stop(signal: SIGKILL)
            throw error
        }
        #expect(try await daemon.stop() == 0, "testbedd did not stop gracefully:\n\(daemon.log)")
    }

    func expectStillServing(_ sandbox: Sandbox) throws {
        let other = try RawClient(path: sandbox.socket)
        let pong = try other.call("rpc.ping", id: 99)
        #expect(pong["id"] as? Int == 99)
        #expect(pong.result != nil)
    }

    static func expectRefusalThenClose(_ client: RawClient, containing phrase: String) throws {
        let refusal = try #require(try client.readFrame())
        #expect(refusal.errorCode == -32600)
        #expect(refusal["id"] is NSNull)
        #expect(refusal.errorMessage?.contains(phrase) == true, "\(refusal.errorMessage ?? "")")
        #expect(try client.isClosedByPeer())
    }

    @Test func anOversizedLengthIsRefusedBeforeAnyPayload() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            try client.send([0xFF, 0xFF, 0xFF, 0xF0])  // ~4 GiB declared, nothing sent after
            try Self.expectRefusalThenClose(client, containing: "exceeds the limit of 4096")
            let justOver = try RawClient(path: sandbox.socket)
            try justOver.send([0, 0, 0x10, 0x01])
            try Self.expectRefusalThenClose(justOver, containing: "4097")
            try expectStillServing(sandbox)
        }
    }

    @Test func aFrameOfExactlyTheLimitIsAccepted() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            let base = #"{"jsonrpc":"2.0","id":7,"method":"rpc.ping","params":{}}"#
            let padded = base + String(repeating: " ", count: 4096 - base.utf8.count)
            try client.sendFrame(padded)
            let response = try #require(try client.readFrame())
            #expect(response["id"] as? Int == 7)
            #expect(response.result != nil)
        }
    }

    @Test func aZeroLengthIsRefused() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            try client.send([0, 0, 0, 0])
            try Self.expectRefusalThenClose(client, containing: "length 0")
            try expectStillServing(sandbox)
        }
    }

    @Test func aTruncatedFrameDoesNotDisturbOthers() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            try client.send([0, 0, 0, 100] + Array("{\"jsonrpc\"".utf8))
            client.shutdownWrite()
            _ = try? client.readFrame()
            client.close()
            try expectStillServing(sandbox)
        }
    }

    @Test func invalidJSONAndUTF8KeepTheConnectionOpen() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            for payload in [Array("{\"jsonrpc\":".utf8), [0xC3, 0x28], Array("nul\u{0}l".utf8), [0x7B, 0xFF, 0x7D]] {
                try client.sendFrame(payload)
                let error = try #require(try client.readFrame())
                #expect(error.errorCode == -32700)
                #expect(error["id"] is NSNull)
            }
            // Framing was intact, so the same connection still works.
            #expect(try client.call("rpc.ping", id: 5)["id"] as? Int == 5)
        }
    }

    @Test func nonObjectPayloadsAreInvalidRequests() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            for payload in ["42", "\"ping\"", "null", "true", "[]", #"[{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}]"#] {
                try client.sendFrame(payload)
                let error = try #require(try client.readFrame())
                #expect(error.errorCode == -32600, "\(payload)")
            }
            try client.sendFrame(#"{"jsonrpc":"2.0","id":true,"method":"rpc.ping"}"#)
            #expect(try client.readFrame()?.errorCode == -32600)
            try expectStillServing(sandbox)
        }
    }

    @Test func unknownMethodsAndWrongParams() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            let unknown = try client.call("deployment.explode", id: 1)
            #expect(unknown.errorCode == -32601)
            #expect(unknown.errorMessage?.contains("deployment.explode") == true)

            let wrongType = try client.call("deployment.get", id: 2, params: #"{"name":42}"#)
            #expect(wrongType.errorCode == -32602)
            #expect(wrongType.errorField == "name")

            let missing = try client.call("deployment.create", id: 3, params: #"{"name":"x"}"#)
            #expect(missing.errorCode == -32602)
            #expect(missing.errorField == "project_location")

            let positional = try client.call("deployment.get", id: 4, params: #"["web"]"#)
            #expect(positional.errorCode == -32602)

            let typo = try client.call("deployment.get", id: 5, params: #"{"nmae":"web"}"#)
            #expect(typo.errorCode == -32602)
            #expect(typo.errorField == "nmae")

            let stringID = try client.call("rpc.ping", id: 6)
            #expect(stringID["id"] as? Int == 6)
            try expectStillServing(sandbox)
        }
    }

    @Test(arguments: [
        #""../x""#, #""""#, #""a/b""#, #""a\u0000b""#, #""web-logs""#, #"".hidden""#,
        "\"\(String(repeating: "n", count: 64))\"", #""../../etc/passwd""#, #""a b""#, #""\u00e9""#,
    ])
    func hostileNamesAreRefusedEverywhere(name: String) async throws {
        try await withDaemon { sandbox in
            try await withDaemon { sandbox in
                let client = try RawClient(path: sandbox.socket)
                let project = try sandbox.project("hostile")
                for (id, (method, params)) in [
                    ("deployment.get", #"{"name":\#(name)}"#),
                    ("deployment.create", #"{"name":\#(name),"project_location":"\#(project)"}"#),
                    ("deployment.destroy", #"{"name":\#(name)}"#),
                    ("deployment.reset_state", #"{"name":\#(name)}"#),
                ].enumerated() {
                    let response = try client.call(method, id: id + 1, params: params)
                    #expect(response.errorCode == -32602, "\(method) \(name)")
                    #expect(response.errorField == "name")
                }
                let records = try FileManager.default.contentsOfDirectory(atPath: sandbox.state + "/deployments")
                #expect(records.allSatisfy { !$0.contains("/") && !$0.hasPrefix(".") })
                #expect(!FileManager.default.fileExists(atPath: sandbox.state + "/x.json"))
                try expectStillServing(sandbox)
            }
        }
    }

    @Test func manyRequestsInFlightAreEachAnsweredUnderTheirId() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            let project = try sandbox.project("inflight")
            // Pipeline slow (disk) and fast (memory) requests; answers may come in any order.
            for i in 0..<40 {
                if i % 4 == 0 {
                    try client.sendFrame(#"{"jsonrpc":"2.0","id":"c\#(i)","method":"deployment.create","params":{"name":"f\#(i)","project_location":"\#(project)"}}"#)
                } else {
                    try client.sendFrame(#"{"jsonrpc":"2.0","id":\#(i),"method":"rpc.ping"}"#)
                }
            }
            var answered: Set<String> = []
            for _ in 0..<40 {
                let response = try #require(try client.readFrame())
                #expect(response["error"] == nil)
                if let id = response["id"] as? Int { answered.insert(String(id)) }
                if let id = response["id"] as? String {
                    answered.insert(id)
                    #expect(response.result?["name"] as? String == "f" + id.dropFirst())
                }
            }
            #expect(answered.count == 40)
        }
    }
}
