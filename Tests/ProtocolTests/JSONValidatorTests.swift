import Foundation
import Testing
import TestbedProtocol

/// `JSONValidator` against RFC 8259, in the manner of JSONTestSuite: `y_`
/// cases must be accepted, `n_` cases refused with the right kind of error at
/// the right byte offset.
@Suite("JSONValidator")
struct JSONValidatorTests {
    /// Bytes from a string, with `\u{..}` standing for raw characters.
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let deep512 = String(repeating: "[", count: 511) + "{}" + String(repeating: "]", count: 511)

    @Test(arguments: [
        ("y_object_empty", "{}"),
        ("y_array_empty", "[]"),
        ("y_string_empty", #""""#),
        ("y_number_zero", "0"),
        ("y_number_minus_zero", "-0"),
        ("y_number_negative", "-12"),
        ("y_number_fraction", "1.5"),
        ("y_number_exponent", "1e10"),
        ("y_number_exponent_signs", "1E+2"),
        ("y_number_negative_exponent", "-0.0e-0"),
        ("y_number_huge_exponent", "1e400"),
        ("y_number_many_digits", "123456789012345678901234567890"),
        ("y_true", "true"),
        ("y_false", "false"),
        ("y_null", "null"),
        ("y_whitespace_around", " \t\r\n[ 1 , 2 ]\n "),
        ("y_request", #"{"jsonrpc":"2.0","id":1,"method":"deployment.get","params":{"name":"web"}}"#),
        ("y_nested", #"{"a":[true,false,null,{"b":[]}],"c":{"d":-1.25e3}}"#),
        ("y_string_escapes", #""\"\\\/\b\f\n\r\t""#),
        ("y_string_escaped_nul", #""\u0000""#),
        ("y_string_unicode_escape", #""\u00e9\u20AC""#),
        ("y_string_surrogate_pair", #""\uD83D\uDE00""#),
        ("y_string_two_byte_utf8", "\"é\""),
        ("y_string_three_byte_utf8", "\"€\""),
        ("y_string_four_byte_utf8", "\"😀\""),
        ("y_string_last_scalar", "\"\u{10FFFF}\""),
        ("y_string_noncharacter", "\"\u{FFFF}\""),
        ("y_string_delete_raw", "\"\u{7F}\""),
        ("y_same_name_in_nested_objects", #"{"a":{"a":1}}"#),
        ("y_same_name_in_sibling_objects", #"[{"a":1},{"a":2}]"#),
        ("y_names_differ_in_case", #"{"a":1,"A":2}"#),
        ("y_escaped_name_differs", #"{"\u0061b":1,"ab2":2,"a":3}"#),
        ("y_many_distinct_names", "{" + (0..<100).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}"),
        ("y_nesting_512", deep512),
    ])
    func accepts(name: String, json: String) throws {
        try JSONValidator.validate(Self.bytes(json))
    }

    /// The kind's case name: `invalidUTF8`, `duplicateMember`, ….
    static func label(_ kind: JSONSyntaxError.Kind) -> String {
        String(String(describing: kind).prefix { $0 != "(" })
    }

    @Test(arguments: [
        ("n_empty", [], "empty", 0),
        ("n_only_whitespace", bytes(" \n"), "empty", 2),
        ("n_object_open", bytes("{"), "unexpectedEnd", 1),
        ("n_object_after_colon", bytes(#"{"jsonrpc":"#), "unexpectedEnd", 11),
        ("n_array_trailing_comma", bytes("[1,]"), "unexpectedByte", 3),
        ("n_object_trailing_comma", bytes(#"{"a":1,}"#), "unexpectedByte", 7),
        ("n_array_missing_comma", bytes("[1 2]"), "unexpectedByte", 3),
        ("n_object_missing_colon", bytes(#"{"a" 1}"#), "unexpectedByte", 5),
        ("n_object_single_quotes", bytes("{'a':1}"), "unexpectedByte", 1),
        ("n_object_bare_name", bytes("{a:1}"), "unexpectedByte", 1),
        ("n_string_unterminated", bytes(#""abc"#), "unterminatedString", 0),
        ("n_string_invalid_escape", bytes(#""\q""#), "invalidEscape", 1),
        ("n_string_hex_escape", bytes(#""\x41""#), "invalidEscape", 1),
        ("n_string_short_unicode_escape", bytes(#""\u12""#), "invalidUnicodeEscape", 1),
        ("n_string_bad_hex", bytes(#""\u12G4""#), "invalidUnicodeEscape", 1),
        ("n_string_lone_high_surrogate", bytes(#""\uD800""#), "loneSurrogate", 1),
        ("n_string_lone_low_surrogate", bytes(#""\uDC00""#), "loneSurrogate", 1),
        ("n_string_high_then_letter", bytes(#""\uD800\u0041""#), "loneSurrogate", 1),
        ("n_string_high_then_raw", bytes(#""\uD83Dx""#), "loneSurrogate", 1),
        ("n_string_two_high_surrogates", bytes(#""\uD800\uD800""#), "loneSurrogate", 1),
        ("n_string_raw_tab", bytes("\"a\tb\""), "controlCharacter", 2),
        ("n_string_raw_newline", bytes("\"a\nb\""), "controlCharacter", 2),
        ("n_string_raw_nul", [0x22, 0x00, 0x22], "controlCharacter", 1),
        ("n_string_raw_unit_separator", [0x22, 0x1F, 0x22], "controlCharacter", 1),
        ("n_utf8_cut_short", [0x22, 0xC3, 0x28, 0x22], "invalidUTF8", 1),
        ("n_utf8_overlong_two_bytes", [0x22, 0xC0, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_overlong_three_bytes", [0x22, 0xE0, 0x80, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_overlong_four_bytes", [0x22, 0xF0, 0x80, 0x80, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_beyond_10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_F5", [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_FF", [0x22, 0xFF, 0x22], "invalidUTF8", 1),
        ("n_utf8_lone_continuation", [0x22, 0x80, 0x22], "invalidUTF8", 1),
        ("n_utf8_truncated_before_quote", [0x22, 0xE2, 0x82, 0x22], "invalidUTF8", 1),
        ("n_utf8_truncated_at_end", [0x22, 0xE2], "invalidUTF8", 1),
        ("n_utf8_outside_string", [0x7B, 0xFF, 0x7D], "invalidUTF8", 1),
        ("n_byte_order_mark", [0xEF, 0xBB, 0xBF] + bytes("{}"), "unexpectedByte", 0),
        ("n_number_leading_zero", bytes("01"), "invalidNumber", 0),
        ("n_number_negative_leading_zero", bytes("-01"), "invalidNumber", 0),
        ("n_number_plus", bytes("+1"), "unexpectedByte", 0),
        ("n_number_starts_with_point", bytes(".5"), "unexpectedByte", 0),
        ("n_number_ends_with_point", bytes("1."), "invalidNumber", 0),
        ("n_number_point_before_exponent", bytes("1.e5"), "invalidNumber", 0),
        ("n_number_empty_exponent", bytes("1e"), "invalidNumber", 0),
        ("n_number_exponent_sign_only", bytes("[1e+]"), "invalidNumber", 1),
        ("n_number_minus_only", bytes("-"), "invalidNumber", 0),
        ("n_number_minus_infinity", bytes("-Infinity"), "invalidNumber", 0),
        ("n_number_nan", bytes("NaN"), "unexpectedByte", 0),
        ("n_number_hex", bytes("0x10"), "trailingData", 1),
        ("n_literal_truncated", bytes("tru"), "invalidLiteral", 0),
        ("n_literal_capital", bytes("True"), "unexpectedByte", 0),
        ("n_literal_misspelt", bytes("nul1"), "invalidLiteral", 0),
        ("n_literal_then_more", bytes("nulll"), "trailingData", 4),
        ("n_two_values", bytes("1 2"), "trailingData", 2),
        ("n_two_objects", bytes(#"{"a":1}{"b":2}"#), "trailingData", 7),
        ("n_duplicate_member", bytes(#"{"a":1,"a":2}"#), "duplicateMember", 7),
        ("n_duplicate_member_escaped", bytes(#"{"a":1,"\u0061":2}"#), "duplicateMember", 7),
        ("n_duplicate_member_escaped_first", bytes(#"{"\u0069d":1,"id":2}"#), "duplicateMember", 13),
        ("n_duplicate_member_surrogate_pair", bytes(#"{"\uD83D\uDE00":1,"😀":2}"#), "duplicateMember", 18),
        ("n_duplicate_member_solidus", bytes(#"{"\/":1,"/":2}"#), "duplicateMember", 8),
        ("n_duplicate_member_third", bytes(#"{"a":1,"b":2,"a":3}"#), "duplicateMember", 13),
        ("n_duplicate_member_nested", bytes(#"{"id":1,"x":{"b":1,"b":2}}"#), "duplicateMember", 19),
        ("n_duplicate_member_in_array", bytes(#"[{"a":1,"a":1}]"#), "duplicateMember", 8),
        ("n_nesting_513", bytes("[" + deep512 + "]"), "tooDeep", 512),
    ] as [(String, [UInt8], String, Int)])
    func refuses(name: String, bytes: [UInt8], kind: String, offset: Int) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValidator.validate(bytes) }
        #expect(error.map { Self.label($0.kind) } == kind, "\(error?.description ?? "")")
        #expect(error?.offset == offset, "\(error?.description ?? "")")
    }

    @Test func aDuplicateAmongManyMembersIsFound() {
        // Past sixteen members, names go into a set: the duplicate is found there too.
        let members = (0..<40).map { #""k\#($0)":\#($0)"# } + [#""k\u0033":0"#]
        let json = "{" + members.joined(separator: ",") + "}"
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValidator.validate(Array(json.utf8)) }
        #expect(error?.kind == .duplicateMember("k3"))
    }

    @Test func aHundredThousandLevelsAreRefusedWithoutExhaustingTheStack() {
        let json = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValidator.validate(Array(json.utf8)) }
        #expect(error?.kind == .tooDeep(limit: 512))
        #expect(error?.offset == 512)
    }

    @Test func theDepthLimitIsAParameter() throws {
        try JSONValidator.validate(Array("[[1]]".utf8), maxDepth: 2)
        #expect(throws: JSONSyntaxError(.tooDeep(limit: 1), at: 1)) { try JSONValidator.validate(Array("[[1]]".utf8), maxDepth: 1) }
    }

    @Test func messagesSayWhatAndWhere() {
        let payload = #"{"jsonrpc":"2.0","id":6,"method":"rpc.ping","zz":"\q"}"#
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValidator.validate(Array(payload.utf8)) }
        #expect(error?.description == #"invalid escape \q in a string at byte offset 50; JSON has only \" \\ \/ \b \f \n \r \t and \u followed by four hex digits"#)

        let cases: [([UInt8], String)] = [
            ([0x22, 0xC0, 0x80, 0x22], "invalid UTF-8 at byte offset 1: an overlong encoding"),
            ([0x22, 0xED, 0xA0, 0x80, 0x22], "a UTF-16 surrogate"),
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "beyond U+10FFFF"),
            (Array("\"a\tb\"".utf8), "raw control character U+0009 in a string at byte offset 2"),
            (Array(#""\uD800""#.utf8), #"\uD800 at byte offset 1 is half of a UTF-16 surrogate pair"#),
            (Array("01".utf8), "no leading zeros"),
            (Array(#"{"id":1,"id":2}"#.utf8), #"the member "id" appears twice in one object"#),
            (Array(#"[1,]"#.utf8), "unexpected ']' at byte offset 3; expected a value"),
        ]
        for (bytes, phrase) in cases {
            let error = #expect(throws: JSONSyntaxError.self) { try JSONValidator.validate(bytes) }
            #expect(error?.description.contains(phrase) == true, "\(error?.description ?? "") lacks \(phrase)")
        }
    }

    @Test func onlyDuplicateMembersAreWellFormedJSON() {
        #expect(JSONSyntaxError(.duplicateMember("a"), at: 0).isWellFormedJSON)
        #expect(!JSONSyntaxError(.tooDeep(limit: 512), at: 0).isWellFormedJSON)
        #expect(!JSONSyntaxError(.invalidEscape(0x71), at: 0).isWellFormedJSON)
    }

    @Test func whatItAcceptsFoundationDecodes() throws {
        // Everything the validator passes must decode (numbers aside), or the
        // daemon would answer a valid payload with a decoding failure.
        for json in [#"{"a":"\uD83D\uDE00\u0000\/","b":[1,-0.5e-3,true,null]}"#, Self.deep512, "\"\u{10FFFF}\u{7F}\""] {
            try JSONValidator.validate(Array(json.utf8))
            _ = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        }
    }
}
