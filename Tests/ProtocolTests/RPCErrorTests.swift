import Foundation
import Testing
import TestbedProtocol

@Suite("RPCError")
struct RPCErrorTests {
    @Test func invalidParamsCarriesField() throws {
        let error = RPCError.invalidParams(field: "project_location", "project_location must be absolute")
        #expect(error.code == .invalidParams)
        #expect(error.code.rawValue == -32602)
        #expect(error.field == "project_location")
        #expect(error.data == .object(["field": .string("project_location")]))
        #expect(error.description == "project_location must be absolute")
        #expect(try wireString(error)
            == #"{"code":-32602,"data":{"field":"project_location"},"message":"project_location must be absolute"}"#)
    }

    @Test func errorWithoutDataHasNoField() throws {
        let error = RPCError(.notFound, "no deployment named web")
        #expect(error.field == nil)
        #expect(try wireString(error) == #"{"code":-32001,"message":"no deployment named web"}"#)
    }

    @Test func decodesFromTheWire() throws {
        let error = try wireDecode(RPCError.self, #"{"code":-32602,"message":"bad","data":{"field":"name","extra":[1,true,null]}}"#)
        #expect(error.code == .invalidParams)
        #expect(error.message == "bad")
        #expect(error.field == "name")
        #expect(error.data?["extra"] == .array([.int(1), .bool(true), .null]))
    }

    @Test func unknownCodesSurviveARoundTrip() throws {
        let error = try wireDecode(RPCError.self, #"{"code":-32099,"message":"new"}"#)
        #expect(error.code == RPCErrorCode(rawValue: -32099))
        #expect(try wireDecode(RPCError.self, try wireString(error)) == error)
    }

    @Test(arguments: [
        (RPCErrorCode.parseError, -32700), (.invalidRequest, -32600), (.methodNotFound, -32601),
        (.invalidParams, -32602), (.internalError, -32603), (.notFound, -32001), (.alreadyExists, -32002),
        (.invalidState, -32003), (.permissionDenied, -32004), (.busy, -32005), (.requestCancelled, -32006),
    ])
    func codeValues(code: RPCErrorCode, raw: Int) throws {
        #expect(code.rawValue == raw)
        #expect(try wireString(code) == String(raw))
    }
}
