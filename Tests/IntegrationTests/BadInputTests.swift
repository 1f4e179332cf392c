import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile and broken input on the raw socket: each gets a clear refusal with
/// the right code, and the daemon goes on serving everyone else.
@Suite struct BadInputTests {
    /// Runs `body` against a fresh daemon, which must still stop gracefully afterwards.
    func withDaemon(maxFrameBytes: Int = 4096, _ body: (Sandbox) async throws -> Void) async throws {
        try await withDaemonProcess(maxFrameBytes: maxFrameBytes) { sandbox, _ in try await body(sandbox) }
    }

    /// `withDaemon`, with the daemon itself (for its log).
    func withDaemonProcess(maxFrameBytes: Int = 4096, _ body: (Sandbox, DaemonProcess) async throws -> Void) async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox, extra: ["--max-frame-bytes", String(maxFrameBytes)])
        do {
            try await body(sandbox, daemon)
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
        try await withDaemonProcess { sandbox, daemon in
            let client = try RawClient(path: sandbox.socket)
            // 100 bytes announced, 10 sent, then end of input: 14 bytes (length included) left undecoded.
            try client.send([0, 0, 0, 100] + Array("{\"jsonrpc\"".utf8))
            client.shutdownWrite()
            // Only the client's output is closed: it still reads the daemon's one refusal, then the close.
            let reason = "connection closed in the middle of a frame (14 bytes buffered)"
            try Self.expectRefusalThenClose(client, containing: reason)
            client.close()
            try expectStillServing(sandbox)
            try await eventually("the daemon logs the truncated frame") {
                daemon.log.split(separator: "\n").contains {
                    $0.contains("closing a connection after a bad frame") && $0.contains("error=\(reason)")
                }
            }
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

            // A string id is echoed as that string (not as a number, nor dropped).
            try client.sendFrame(#"{"jsonrpc":"2.0","id":"six","method":"rpc.ping"}"#)
            let stringID = try #require(try client.readFrame())
            #expect(stringID["id"] as? String == "six", "\(stringID)")
            #expect(stringID.result != nil, "\(stringID)")
            try expectStillServing(sandbox)
        }
    }

    @Test(arguments: [
        #""../x""#, #""""#, #""a/b""#, #""a\u0000b""#, #""web-logs""#, #"".hidden""#,
        "\"\(String(repeating: "n", count: 64))\"", #""../../etc/passwd""#, #""a b""#, #""\u00e9""#,
    ])
    func hostileNamesAreRefusedEverywhere(name: String) async throws {
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

    // MARK: Strict JSON (RFC 8259)

    /// Sends `payload` as one frame and returns the answer, which must be an
    /// error under `"id": null` in plain words.
    static func refusal(of payload: [UInt8], on client: RawClient, sourceLocation: SourceLocation = #_sourceLocation) throws -> (code: Int?, message: String) {
        try client.sendFrame(payload)
        let answer = try #require(try client.readFrame(), sourceLocation: sourceLocation)
        #expect(answer["id"] is NSNull, "\(answer)", sourceLocation: sourceLocation)
        #expect(answer.result == nil, sourceLocation: sourceLocation)
        let message = answer.errorMessage ?? ""
        for word in ["DecodingError", "Context(", "codingPath", "Swift", "Int64", "Optional("] {
            #expect(!message.contains(word), "\(message)", sourceLocation: sourceLocation)
        }
        return (answer.errorCode, message)
    }

    static func bytes(_ before: String, _ raw: [UInt8], _ after: String) -> [UInt8] {
        Array(before.utf8) + raw + Array(after.utf8)
    }

    @Test func invalidJSONAnywhereIsAParseErrorEvenInANotification() async throws {
        let cases: [([UInt8], String)] = [
            (Array(#"{"jsonrpc":"2.0","id":6,"method":"rpc.ping","zz":"\q"}"#.utf8), "invalid escape \\q in a string at byte offset 50"),
            // The same without an id: a notification, but a payload that is not JSON has no readable id, and is answered.
            (Array(#"{"jsonrpc":"2.0","method":"rpc.ping","zz":"\q"}"#.utf8), "invalid escape \\q in a string at byte offset 43"),
            (Array("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.ping\",\"zz\":\"a\u{7}b\"}".utf8), "raw control character U+0007"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":"\uDC00"}"#.utf8), "half of a UTF-16 surrogate pair"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping",}"#.utf8), "unexpected '}' at byte offset 44"),
            (Array(#"{"jsonrpc":"2.0","id":01,"method":"rpc.ping"}"#.utf8), "no leading zeros"),
            (Self.bytes("", [0xEF, 0xBB, 0xBF], #"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#), "unexpected byte 0xEF at byte offset 0"),
            (Self.bytes(#"{"jsonrpc":"2.0","method":"rpc.ping","zz":""#, [0xC0, 0xAF], #""}"#), "invalid UTF-8 at byte offset 43: an overlong encoding"),
            (Self.bytes(#"{"jsonrpc":"2.0","id":2,"method":"deployment.get","params":{"name":""#, [0xED, 0xA0, 0x80], #""}}"#),
             "invalid UTF-8 at byte offset 68: a UTF-16 surrogate"),
        ]
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            for (payload, phrase) in cases {
                let refusal = try Self.refusal(of: payload, on: client)
                #expect(refusal.code == -32700, "\(refusal.message)")
                #expect(refusal.message.hasPrefix("the frame's payload is not valid UTF-8 JSON: "), "\(refusal.message)")
                #expect(refusal.message.contains(phrase), "\(refusal.message) lacks \(phrase)")
            }
            // Framing was intact each time: the same connection still serves.
            #expect(try client.call("rpc.ping", id: 5)["id"] as? Int == 5)
        }
    }

    @Test func aRepeatedMemberIsAnInvalidRequestNamingIt() async throws {
        try await withDaemon { sandbox in
            let client = try RawClient(path: sandbox.socket)
            for (payload, name) in [
                (#"{"jsonrpc":"2.0","id":1,"id":2,"method":"rpc.ping"}"#, "id"),
                (#"{"jsonrpc":"2.0","method":"rpc.cancel","method":"rpc.ping"}"#, "method"),
                (#"{"jsonrpc":"2.0","id":3,"method":"deployment.get","params":{"name":"a","n\u0061me":"b"}}"#, "name"),
            ] {
                let refusal = try Self.refusal(of: Array(payload.utf8), on: client)
                #expect(refusal.code == -32600)
                #expect(refusal.message == "the member \"\(name)\" appears twice in one object; JSON-RPC requests must not repeat a member")
            }
            try expectStillServing(sandbox)
        }
    }

    @Test func anIdThatNoIntegerHoldsIsAnInvalidRequest() async throws {
        try await withDaemon(maxFrameBytes: 1_048_576) { sandbox in
            let client = try RawClient(path: sandbox.socket)
            for id in ["1e400", String(repeating: "9", count: 100_000), "9223372036854775808", "-1e19"] {
                let refusal = try Self.refusal(of: Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"rpc.ping"}"#.utf8), on: client)
                #expect(refusal.code == -32600)
                #expect(refusal.message == "the request id must be an integer from -2^63 to 2^63-1, or a string, not a number out of that range")
            }
            let fractional = try Self.refusal(of: Array(#"{"jsonrpc":"2.0","id":0.5,"method":"rpc.ping"}"#.utf8), on: client)
            #expect(fractional.message == "the request id must be an integer from -2^63 to 2^63-1, or a string, not a fractional number")
            // The edges of the range are ids like any other.
            for id in ["9223372036854775807", "-9223372036854775808"] {
                try client.sendFrame(#"{"jsonrpc":"2.0","id":\#(id),"method":"rpc.ping"}"#)
                let pong = try #require(try client.readFrame())
                #expect(pong.result != nil)
                #expect((pong["id"] as? NSNumber)?.stringValue == id)
            }
        }
    }

    @Test func deepNestingIsRefusedAndTheDaemonGoesOn() async throws {
        try await withDaemon(maxFrameBytes: 1_048_576) { sandbox in
            let client = try RawClient(path: sandbox.socket)
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            for payload in [deep, #"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","params":{"x":\#(deep)}}"#] {
                let refusal = try Self.refusal(of: Array(payload.utf8), on: client)
                #expect(refusal.code == -32700)
                #expect(refusal.message.contains("arrays and objects nest more than 512 levels deep"), "\(refusal.message)")
            }
            // 512 levels are read (this one fails later, on its unknown parameter).
            let deepest = String(repeating: "[", count: 510) + String(repeating: "]", count: 510)
            let answer = try client.call("rpc.ping", id: 8, params: #"{"x":\#(deepest)}"#)
            #expect(answer.errorCode == -32602)
            #expect(answer.errorField == "x")
            try expectStillServing(sandbox)
        }
    }
}
