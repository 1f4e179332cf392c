import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

@Suite struct ParsedRequestTests {
    static func rejection(_ json: String) -> ParsedRequest.Rejection? {
        do {
            _ = try ParsedRequest.parse(Data(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidRequestIsParsed() throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":"a","method":"deployment.get","params":{"name":"web"}}"#.utf8))
        #expect(request.id == .string("a"))
        #expect(request.method == "deployment.get")
        #expect(try request.decodeParams(as: NameParams.self) == NameParams(name: "web"))
    }

    @Test func aRequestWithoutIdIsANotification() throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":3}}"#.utf8))
        #expect(request.isNotification)
        #expect(try request.decodeParams(as: CancelParams.self).id == .int(3))
    }

    @Test(arguments: [
        ("{", RPCErrorCode.parseError, nil as RequestID?),
        ("\u{FF}", .parseError, nil),
        ("[]", .invalidRequest, nil),
        (#"[{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}]"#, .invalidRequest, nil),
        ("42", .invalidRequest, nil),
        (#""text""#, .invalidRequest, nil),
        ("null", .invalidRequest, nil),
        (#"{"jsonrpc":"2.0","id":1.5,"method":"rpc.ping"}"#, .invalidRequest, nil),
        (#"{"jsonrpc":"2.0","id":{},"method":"rpc.ping"}"#, .invalidRequest, nil),
        (#"{"jsonrpc":"1.0","id":1,"method":"rpc.ping"}"#, .invalidRequest, .int(1)),
        (#"{"id":1,"method":"rpc.ping"}"#, .invalidRequest, .int(1)),
        (#"{"jsonrpc":"2.0","id":1}"#, .invalidRequest, .int(1)),
        (#"{"jsonrpc":"2.0","id":1,"method":7}"#, .invalidRequest, .int(1)),
        (#"{"jsonrpc":"2.0","id":"x","method":"a","params":[1]}"#, .invalidParams, .string("x")),
        (#"{"jsonrpc":"2.0","id":2,"method":"a","params":"p"}"#, .invalidParams, .int(2)),
    ])
    func malformedPayloadsAreRefusedWithTheRightCode(json: String, code: RPCErrorCode, id: RequestID?) throws {
        let rejection = try #require(Self.rejection(json))
        #expect(rejection.error.code == code)
        #expect(rejection.id == id)
        #expect(!rejection.error.message.isEmpty)
    }

    @Test(arguments: [
        (#"{"name":5}"#, "name", "must be a string"),
        (#"{}"#, "name", "missing required parameter"),
        (#"{"name":null}"#, "name", "not null"),
        (#"{"name":"a","nmae":"b"}"#, "nmae", "no parameter"),
    ])
    func badParamsNameTheField(params: String, field: String, phrase: String) throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":\#(params)}"#.utf8))
        let error = #expect(throws: RPCError.self) { try request.decodeParams(as: NameParams.self) }
        #expect(error?.code == .invalidParams)
        #expect(error?.field == field)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "")")
    }

    @Test func absentParamsDecodeAsEmpty() throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#.utf8))
        #expect(try request.decodeParams(as: NoParams.self) == NoParams())
        let error = #expect(throws: RPCError.self) { try request.decodeParams(as: NameParams.self) }
        #expect(error?.field == "name")
    }
}
