import Foundation
import Testing
import TestbedProtocol

@Suite("RPCMessage payloads")
struct RPCMessageTests {
    @Test func requestWithParams() throws {
        let payload = try RPCMessage.request(
            id: .int(7), method: RPCMethod.deploymentCreate.name,
            params: CreateParams(name: "web", projectLocation: "/srv/web"))
        #expect(utf8(payload)
            == #"{"id":7,"jsonrpc":"2.0","method":"deployment.create","params":{"name":"web","project_location":"/srv/web"}}"#)
    }

    @Test func requestWithStringIDAndNoParams() throws {
        let payload = try RPCMessage.request(id: .string("req-1"), method: RPCMethod.hello.name, params: NoParams?.none)
        #expect(utf8(payload) == #"{"id":"req-1","jsonrpc":"2.0","method":"rpc.hello"}"#)
    }

    @Test func notificationHasNoIDKey() throws {
        let payload = try RPCMessage.request(id: nil, method: RPCNotification.cancel, params: CancelParams(id: .int(3)))
        #expect(utf8(payload) == #"{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":3}}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(object["id"] == nil)
    }

    @Test(arguments: [
        (RequestID.int(42), #"{"id":42,"jsonrpc":"2.0","result":{"ok":true}}"#),
        (.int(-3), #"{"id":-3,"jsonrpc":"2.0","result":{"ok":true}}"#),
        (.int(0), #"{"id":0,"jsonrpc":"2.0","result":{"ok":true}}"#),
        (.string("abc"), #"{"id":"abc","jsonrpc":"2.0","result":{"ok":true}}"#),
        (.string(#"a"b\c/d"#), #"{"id":"a\"b\\c/d","jsonrpc":"2.0","result":{"ok":true}}"#),
        (.string("tab\there\nnl"), #"{"id":"tab\there\nnl","jsonrpc":"2.0","result":{"ok":true}}"#),
        (.string("7"), #"{"id":"7","jsonrpc":"2.0","result":{"ok":true}}"#),
    ])
    func responseAroundEncodedResult(id: RequestID, expected: String) throws {
        let payload = RPCMessage.response(id: id, encodedResult: Data(#"{"ok":true}"#.utf8))
        #expect(utf8(payload) == expected)
        // And it is JSON whose id reads back as the same id.
        #expect(try IncomingMessage.decode(payload).id == id)
    }

    @Test func responseEncodingItsResult() throws {
        let payload = try RPCMessage.response(id: .int(1), result: NameParams(name: "x"))
        #expect(utf8(payload) == #"{"id":1,"jsonrpc":"2.0","result":{"name":"x"}}"#)
        let empty = try RPCMessage.response(id: .int(2), result: EmptyResult())
        #expect(utf8(empty) == #"{"id":2,"jsonrpc":"2.0","result":{}}"#)
    }

    @Test func errorResponseWithUnknownIDWritesNull() {
        let payload = RPCMessage.errorResponse(id: nil, error: RPCError(.parseError, "payload is not valid JSON"))
        #expect(utf8(payload)
            == #"{"error":{"code":-32700,"message":"payload is not valid JSON"},"id":null,"jsonrpc":"2.0"}"#)
    }

    @Test func errorResponseWithIDAndData() {
        let payload = RPCMessage.errorResponse(
            id: .string("x"), error: .invalidParams(field: "name", "name is required"))
        #expect(utf8(payload)
            == #"{"error":{"code":-32602,"data":{"field":"name"},"message":"name is required"},"id":"x","jsonrpc":"2.0"}"#)
    }

    @Test func errorResponseWithIntID() {
        let payload = RPCMessage.errorResponse(id: .int(9), error: RPCError(.busy, "busy"))
        #expect(utf8(payload) == #"{"error":{"code":-32005,"message":"busy"},"id":9,"jsonrpc":"2.0"}"#)
    }
}
