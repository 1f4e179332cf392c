import Foundation
import Testing
import TestbedProtocol

@Suite("RequestID")
struct RequestIDTests {
    @Test(arguments: [
        ("1", RequestID.int(1)),
        ("-5", .int(-5)),
        ("9223372036854775807", .int(Int64.max)),
        (#""abc""#, .string("abc")),
        (#""1""#, .string("1")),
        (#""""#, .string("")),
    ])
    func decodes(json: String, expected: RequestID) throws {
        #expect(try wireDecode(RequestID.self, json) == expected)
    }

    @Test(arguments: ["1.5", "true", "null", "[1]", #"{"id":1}"#])
    func refusesOtherTypes(json: String) {
        #expect(throws: (any Error).self) { try wireDecode(RequestID.self, json) }
    }

    @Test func encodes() throws {
        #expect(try wireString(RequestID.int(5)) == "5")
        #expect(try wireString(RequestID.string("x/y")) == #""x/y""#)
    }

    @Test func fromJSONValue() {
        #expect(RequestID(JSONValue.int(4)) == .int(4))
        #expect(RequestID(JSONValue.string("k")) == .string("k"))
        for other: JSONValue in [.null, .bool(true), .double(1.5), .array([.int(1)]), .object([:])] {
            #expect(RequestID(other) == nil, "\(other)")
        }
    }

    @Test func description() {
        #expect(RequestID.int(12).description == "12")
        #expect(RequestID.string("a").description == #""a""#)
    }
}
