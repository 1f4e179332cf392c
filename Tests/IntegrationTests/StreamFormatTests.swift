import Foundation
import Testing
import TestbedProtocol

/// `rpc.hello` negotiates the `rpc.stream` format, and both formats carry a
/// log that is hard to carry exactly as docs/protocol.md §5 says.
@Suite struct StreamFormatTests {
    @Test func helloChoosesTheFirstKnownFormatAndKeepsLinesForOldClients() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let plain: HelloResult = try await client.call(RPCMethod.hello.name)
        #expect(plain.streamFormat == "lines")
        let unknownFirst: HelloResult = try await client.call(
            RPCMethod.hello.name, params: ["stream_formats": ["sideways", "data", "lines"]])
        #expect(unknownFirst.streamFormat == "data")
        let noneKnown: HelloResult = try await client.call(RPCMethod.hello.name, params: ["stream_formats": ["sideways"]])
        #expect(noneKnown.streamFormat == "lines")
        await #expect {
            let _: HelloResult = try await client.call(RPCMethod.hello.name, params: ["stream_formats": 5])
        } throws: { error in
            let error = try #require(error as? RPCError)
            return error.code == .invalidParams && error.field == "stream_formats"
        }
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func bothFormatsCarryAnAwkwardLogAsTheDocumentSays() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let dataClient = try await RPCConnection.connect(unixSocketPath: sandbox.socket, streamFormat: .data)
        let linesClient = try await RPCConnection.connect(unixSocketPath: sandbox.socket, streamFormat: .lines)
        _ = try await Fixtures.deployment("web", behaviour: "awkward", in: sandbox, client: dataClient)
        let up = try await dataClient.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(up.result.errorCode == 0)
        let params = ActionLogsParams(id: up.result.actionID)
        let data = try await dataClient.follow(RPCMethod.actionLogs.name, params: params, as: ActionLogsResult.self)
        let lines = try await linesClient.follow(RPCMethod.actionLogs.name, params: params, as: ActionLogsResult.self)

        let file = try Data(contentsOf: URL(fileURLWithPath: up.result.logPath))
        let decoded = String(decoding: file, as: UTF8.self)
        // data: the log's bytes, with each maximal invalid UTF-8 subpart as U+FFFD; nothing added, nothing cut.
        #expect(up.text == Array(decoded.utf8))
        #expect(data.text == Array(decoded.utf8))
        #expect(data.result.nextOffset == UInt64(file.count) && lines.result.nextOffset == UInt64(file.count))
        #expect(decoded.contains("caf\u{E9} \u{20AC} \u{1F600}, bad: \u{FFFD} \u{FFFD}( \u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} end"))

        // lines: the same text cut at each newline, and long lines cut into pieces of at most 64 KiB at a character boundary.
        // (Cut as bytes: as Characters, "\r\n" is one and would not be cut.)
        var expected = Array(decoded.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let long = try #require(expected.firstIndex { $0.hasPrefix("xxxx") })
        expected.replaceSubrange(long...long, with: [65_536, 65_536, 18_928].map { String(repeating: "x", count: $0) })
        let cut = try #require(expected.firstIndex { $0.hasPrefix("yyyy") })
        expected.replaceSubrange(cut...cut, with: [String(repeating: "y", count: 65_535), "\u{E9} after the cut"])
        #expect(lines.lines == expected)
        #expect(lines.lines.first { $0.hasPrefix("quotes") } == "quotes \" and \\ backslashes, tab\there, bell \u{07}, nul-free \u{01}\u{1F} and DEL \u{7F}\r")
        #expect(lines.lines.last == "no newline at the end \u{FFFD}")
        #expect(lines.lines.allSatisfy { $0.utf8.count <= 65_536 })
        // The same lines once the data format's text is cut the same way.
        #expect(data.text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count == expected.count - 3)
        for followed in [up.seqs, data.seqs, lines.seqs] { #expect(followed == Array(0..<followed.count)) }
        await dataClient.close()
        await linesClient.close()
        #expect(try await daemon.stop() == 0)
    }
}
