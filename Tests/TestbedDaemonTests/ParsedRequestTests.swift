import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

@Suite struct ParsedRequestTests {
    static func rejection(_ json: String) -> ParsedRequest.Rejection? {
        rejection(Array(json.utf8))
    }

    static func rejection(_ bytes: [UInt8]) -> ParsedRequest.Rejection? {
        do {
            _ = try ParsedRequest.parse(Data(bytes))
            return nil
        } catch {
            return error
        }
    }

    /// Words that only Swift's or Foundation's own descriptions contain.
    static let internals = ["DecodingError", "Context(", "codingPath", "debugDescription", "Swift", "Int64", "UInt", "Optional(", "not valid JSON."]

    static func expectPlainWords(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for word in internals {
            #expect(!message.contains(word), "\(message) shows \(word)", sourceLocation: sourceLocation)
        }
    }

    @Test func aValidRequestIsParsed() throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":"a","method":"deployment.get","params":{"name":"web"}}"#.utf8))
        #expect(request.id == .string("a"))
        #expect(request.method == "deployment.get")
        #expect(try request.decodeParams(as: NameParams.self) == NameParams(name: "web"))
    }

    /// The scan reads the plain forms; escapes, other number forms and spacing
    /// go through the decoder; both must read a request the same way.
    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":7,"method":"deployment.get","params":{"name":"web"}}"#, RequestID.int(7), "deployment.get", ["name"]),
        (#" { "params" : { "name" : "web" } , "method" : "deployment.get" , "id" : 7 , "jsonrpc" : "2.0" } "#, .int(7), "deployment.get", ["name"]),
        (#"{"jsonrpc":"2.0","id":"a","method":"deployment.get","params":{"name":"web"}}"#, .string("a"), "deployment.get", ["name"]),
        (#"{"jsonrpc":"2.0","id":1.0,"method":"deployment.get","params":{"name":"web"}}"#, .int(1), "deployment.get", ["name"]),
        (#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"rpc.ping","params":{}}"#, .int(Int64.min), "rpc.ping", []),
        (#"{"jsonrpc":"2.0","id":"é","method":"rpc.ping"}"#, .string("é"), "rpc.ping", nil),
    ] as [(String, RequestID, String, [String]?)])
    func theScanAndTheDecoderReadARequestAlike(json: String, id: RequestID, method: String, keys: [String]?) throws {
        let request = try ParsedRequest.parse(Data(json.utf8))
        #expect(request.id == id)
        #expect(request.method == method)
        #expect(request.paramKeys == keys)
        if keys == ["name"] { #expect(try request.decodeParams(as: NameParams.self) == NameParams(name: "web")) }
    }

    @Test func paramsAreDecodedFromTheirOwnBytesWithTheFieldNamed() throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":5}}"#.utf8))
        #expect(request.paramsRange != nil)
        #expect(throws: RPCError.invalidParams(field: "name", #"parameter "name" must be a string"#)) {
            try request.decodeParams(as: NameParams.self)
        }
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

    // MARK: Strict JSON (RFC 8259) before anything is decoded

    static let deepArray = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)

    @Test(arguments: [
        // Invalid JSON in members the envelope never reads, with and without an id.
        (#"{"jsonrpc":"2.0","id":6,"method":"rpc.ping","zz":"\q"}"#, "invalid escape \\q in a string at byte offset 50"),
        (#"{"jsonrpc":"2.0","method":"rpc.ping","zz":"\q"}"#, "invalid escape \\q"),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc.ping\",\"zz\":\"a\u{1}b\"}", "raw control character U+0001"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":"\uD800"}"#, "half of a UTF-16 surrogate pair"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping",}"#, "unexpected '}' at byte offset 44"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":[1,]}"#, "expected a value"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":01}"#, "no leading zeros"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":.5}"#, "unexpected '.'"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"} {}"#, "more data after the JSON value"),
        (#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":"# + deepArray + "}", "nest more than 512 levels"),
        (deepArray, "nest more than 512 levels"),
    ])
    func invalidJSONAnywhereIsAParseError(json: String, phrase: String) throws {
        let rejection = try #require(Self.rejection(json))
        #expect(rejection.error.code == .parseError)
        #expect(rejection.id == nil)
        #expect(rejection.error.message.hasPrefix("the frame's payload is not valid UTF-8 JSON: "))
        #expect(rejection.error.message.contains(phrase), "\(rejection.error.message)")
        Self.expectPlainWords(rejection.error.message)
    }

    static func bytes(_ before: String, _ raw: [UInt8], _ after: String) -> [UInt8] {
        Array(before.utf8) + raw + Array(after.utf8)
    }

    static let invalidUTF8Payloads: [[UInt8]] = [
        bytes("", [0xEF, 0xBB, 0xBF], #"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#),
        bytes(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":""#, [0xC3, 0x28], #""}"#),
        bytes(#"{"jsonrpc":"2.0","method":"rpc.ping","zz":""#, [0xED, 0xA0, 0x80], #""}"#),
        bytes(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":""#, [0xC0, 0xAF], #""}}"#),
        bytes(#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":""#, [0xF4, 0x90, 0x80, 0x80], #""}}"#),
    ]

    @Test(arguments: invalidUTF8Payloads)
    func invalidUTF8AnywhereIsAParseError(bytes: [UInt8]) throws {
        let rejection = try #require(Self.rejection(bytes))
        #expect(rejection.error.code == .parseError)
        #expect(rejection.id == nil)
        #expect(rejection.error.field == nil)
        Self.expectPlainWords(rejection.error.message)
    }

    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":1,"id":2,"method":"rpc.ping"}"#, "id"),
        (#"{"jsonrpc":"2.0","method":"rpc.ping","method":"rpc.cancel"}"#, "method"),
        (#"{"jsonrpc":"2.0","\u0069d":1,"id":2,"method":"rpc.ping"}"#, "id"),
        (#"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":"a","name":"b"}}"#, "name"),
        (#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":{"b":1,"b":2}}}"#, "b"),
    ])
    func aRepeatedMemberIsAnInvalidRequestNamingIt(json: String, name: String) throws {
        let rejection = try #require(Self.rejection(json))
        #expect(rejection.error.code == .invalidRequest)
        #expect(rejection.id == nil)
        #expect(rejection.error.message == "the member \"\(name)\" appears twice in one object; JSON-RPC requests must not repeat a member")
    }

    @Test(arguments: [
        ("1e400", "a number out of that range"),
        (String(repeating: "7", count: 100_000), "a number out of that range"),
        ("9223372036854775808", "a number out of that range"),
        ("-9223372036854775809", "a number out of that range"),
        ("1.5", "a fractional number"),
        ("null", "null"),
        ("true", "a boolean"),
        ("[1]", "an array"),
        (#"{"a":1}"#, "an object"),
    ])
    func anIdThatIsNotAnIntegerOrAStringIsAnInvalidRequest(id: String, what: String) throws {
        for json in [#"{"jsonrpc":"2.0","id":\#(id),"method":"rpc.ping"}"#, #"{"id":\#(id)}"#] {
            let rejection = try #require(Self.rejection(json))
            #expect(rejection.error.code == .invalidRequest)
            #expect(rejection.id == nil)
            #expect(rejection.error.message == "the request id must be an integer from -2^63 to 2^63-1, or a string, not \(what)")
            Self.expectPlainWords(rejection.error.message)
        }
    }

    @Test(arguments: [
        ("9223372036854775807", RequestID.int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("1.0", .int(1)),
        ("1e2", .int(100)),
        ("-0", .int(0)),
        (#""\u0031""#, .string("1")),
    ])
    func integralAndStringIdsAreRead(id: String, expected: RequestID) throws {
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":\#(id),"method":"rpc.ping"}"#.utf8))
        #expect(request.id == expected)
    }

    @Test func membersNobodyReadsMayHoldAnyValidJSON() throws {
        let request = try ParsedRequest.parse(Data(
            #"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":[1e400,"\uD83D\uDE00\u0000",{"a":{"a":-0.0e-0}}],"zy":null}"#.utf8))
        #expect(request.method == "rpc.ping")
    }

    @Test func nestingUpTo512LevelsIsRead() throws {
        let deep = String(repeating: "[", count: 510) + String(repeating: "]", count: 510)
        let request = try ParsedRequest.parse(Data(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping","zz":\#(deep)}"#.utf8))
        #expect(request.id == .int(1))
    }

    @Test(arguments: ["-1", "1.5", "1e400", "18446744073709551616", String(repeating: "9", count: 5000)])
    func aNumberThatDoesNotFitItsParameterSaysSoPlainly(offset: String) throws {
        let request = try ParsedRequest.parse(Data(
            #"{"jsonrpc":"2.0","id":1,"method":"action.logs","params":{"id":"a","offset":\#(offset)}}"#.utf8))
        let error = #expect(throws: RPCError.self) { try request.decodeParams(as: ActionLogsParams.self) }
        #expect(error?.code == .invalidParams)
        #expect(error?.message == "a parameter does not fit its type: numbers must be whole and within range")
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    @Test func describeNeverShowsFoundationsOwnText() {
        let path = [Key("params"), Key("offset")]
        for text in ["Parsed JSON number <1.5> does not fit in Int.", "Number 1e400 is not representable in Swift.", "The given data was not valid JSON."] {
            let error = ParsedRequest.describe(.dataCorrupted(.init(codingPath: path, debugDescription: text)))
            #expect(error.field == "offset")
            #expect(error.message == #"parameter "offset" is invalid: numbers must be whole and within range"#)
        }
        // The wire types' own decoders write sentences for users: those pass through.
        let own = ParsedRequest.describe(.dataCorrupted(.init(
            codingPath: [Key("params"), Key("snapshot")], debugDescription: "a snapshot command has exactly one key, not 2 (create, list)")))
        #expect(own.message == #"parameter "snapshot" is invalid: a snapshot command has exactly one key, not 2 (create, list)"#)
        let mismatch = ParsedRequest.describe(.typeMismatch(UInt64.self, .init(codingPath: path, debugDescription: "Expected to decode UInt64 but found a string instead.")))
        #expect(mismatch.message == #"parameter "offset" must be an integer"#)
    }
}
