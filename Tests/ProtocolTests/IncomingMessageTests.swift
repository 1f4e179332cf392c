import Foundation
import Testing
import TestbedProtocol

@Suite("IncomingMessage routing")
struct IncomingMessageTests {
    @Test func successResponse() throws {
        let message = try IncomingMessage.decode(Data(#"{"id":3,"jsonrpc":"2.0","result":{"a":1}}"#.utf8))
        #expect(message.id == .int(3))
        #expect(message.method == nil)
        #expect(message.error == nil)
    }

    @Test func errorResponse() throws {
        let message = try IncomingMessage.decode(
            Data(#"{"error":{"code":-32005,"message":"busy"},"id":"k","jsonrpc":"2.0"}"#.utf8))
        #expect(message.id == .string("k"))
        #expect(message.method == nil)
        #expect(message.error == RPCError(.busy, "busy"))
    }

    @Test func errorResponseWithNullID() throws {
        let message = try IncomingMessage.decode(
            Data(#"{"error":{"code":-32600,"message":"frame too large"},"id":null,"jsonrpc":"2.0"}"#.utf8))
        #expect(message.id == nil)
        #expect(message.error?.code == .invalidRequest)
    }

    @Test func streamNotification() throws {
        let payload = Data(#"{"jsonrpc":"2.0","method":"rpc.stream","params":{"id":3,"lines":["a","b"],"seq":0}}"#.utf8)
        let message = try IncomingMessage.decode(payload)
        #expect(message.id == nil)
        #expect(message.method == RPCNotification.stream)
        #expect(message.error == nil)
        let chunk = try JSONCoding.sharedDecoder.decode(ParamsEnvelope<StreamChunk>.self, from: payload).params
        #expect(chunk == StreamChunk(id: .int(3), seq: 0, lines: ["a", "b"]))
    }

    @Test func resultIsDecodedAsTheCallerAsks() throws {
        let payload = Data(#"{"id":1,"jsonrpc":"2.0","result":{"name":"web"}}"#.utf8)
        #expect(try RPCCall.decodeResult(payload, as: NameParams.self) == NameParams(name: "web"))
        let error = #expect(throws: RPCConnectionError.self) {
            try RPCCall.decodeResult(payload, as: CreateParams.self)
        }
        guard case .malformedResponse = error else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [
        // Strings, braces and keys named like routing members inside the result are stepped over.
        (#" {"id":5,"jsonrpc":"2.0","result":{"s":"}\"{[,","id":7,"a":[1,{"b":"]"},"method"]}} "#, RequestID.int(5), nil),
        (#"{"jsonrpc":"2.0","result":{"error":{"code":1}},"id":-9223372036854775808}"#, .int(-9_223_372_036_854_775_808), nil),
        // An id with an escape, or too large for an integer, is left to the full decoder.
        (#"{"id":"a\"b","jsonrpc":"2.0","result":1}"#, .string("a\"b"), nil),
        (#"{"jsonrpc":"2.0","method":"rpc.stream","params":{"id":3,"lines":["}"],"seq":0}}"#, nil, "rpc.stream"),
    ] as [(String, RequestID?, String?)])
    func routesByTheTopLevelMembersOnly(json: String, id: RequestID?, method: String?) throws {
        let message = try IncomingMessage.decode(Data(json.utf8))
        #expect(message.id == id)
        #expect(message.method == method)
        #expect(message.error == nil)
    }

    @Test(arguments: ["", "[]", "42", "{", #"{"id":1.5}"#, #"{"id":1,"result":[}"#, #"{"id":1} x"#, #"{"id":9223372036854775808}"#])
    func rejectsNonMessages(json: String) {
        #expect(throws: (any Error).self) { try IncomingMessage.decode(Data(json.utf8)) }
    }
}
