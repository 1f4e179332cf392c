import Foundation
import Testing
@testable import TestbedDaemon

/// Replays what the fuzzers found (Tests/Fuzz/regressions/<target>) and their
/// seed corpus (Tests/Fuzz/corpus/<target>) through the same entry points the
/// fuzzers use, so every crash they found stays fixed. An input that breaks a
/// rule stops the test process, as it stopped the fuzzer.
@Suite(.serialized) struct FuzzRegressionTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz").path

    /// The inputs under `Tests/Fuzz/<kind>/<target>`, sorted by name.
    static func inputs(_ kind: String, _ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = fuzzFolder + "/" + kind + "/" + target
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            .filter { !$0.hasPrefix(".") }
            .map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)))) }
    }

    @Test func requestPathFindingsAndSeedsReplay() throws {
        let seeds = try Self.inputs("corpus", "request")
        #expect(seeds.count > 40)
        let fuzzer = try RequestPathFuzzer()
        for input in try Self.inputs("regressions", "request") + seeds {
            fuzzer.run(input.bytes)
        }
    }

    @Test func bridgeFindingsAndSeedsReplay() throws {
        let seeds = try Self.inputs("corpus", "bridge")
        #expect(seeds.contains { $0.name == "clienthello-node1" })
        let fuzzer = try BridgeFuzzer()
        for input in try Self.inputs("regressions", "bridge") + seeds {
            fuzzer.run(input.bytes)
        }
    }

    @Test func theRecordedClientHelloIsOneABridgeClientSends() throws {
        let fuzzer = try BridgeFuzzer()
        let fresh = fuzzer.recordClientHello()
        if let path = ProcessInfo.processInfo.environment["TESTBED_FUZZ_RECORD_HELLO"] {
            try Data([0] + fresh).write(to: URL(fileURLWithPath: path))
        }
        let recorded = try #require(try Self.inputs("corpus", "bridge").first { $0.name == "clienthello-node1" }).bytes
        // Header 0 (raw bytes), then a TLS handshake record holding a ClientHello, like the one made now.
        for hello in [Array(recorded.dropFirst()), fresh] {
            try #require(hello.count > 9)
            #expect(hello[0] == 0x16)
            #expect(hello[1] == 0x03)
            #expect(hello[5] == 0x01)
        }
        #expect(recorded.first == 0)
    }

    // The fuzzers' rules stop the process when broken; these show they do.

    @Test func anAnswerShowingSwiftsOwnTextStopsTheFuzzer() async {
        await #expect(processExitsWith: .failure) {
            let answer = Array(#"{"error":{"code":-32602,"message":"DecodingError.typeMismatch"},"id":1,"jsonrpc":"2.0"}"#.utf8)
            let length = UInt32(answer.count)
            let frame = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + answer
            AnswerCheck.check(written: frame, sent: [], "test")
        }
    }

    @Test func anAnswerThatIsNotStrictJSONStopsTheFuzzer() async {
        await #expect(processExitsWith: .failure) {
            let answer = Array(#"{"id":1,"jsonrpc":"2.0","result":{},}"#.utf8)
            AnswerCheck.check(written: [0, 0, 0, UInt8(answer.count)] + answer, sent: [], "test")
        }
    }
}
