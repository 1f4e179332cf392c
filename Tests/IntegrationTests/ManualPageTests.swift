import Foundation
import Testing

/// The manual pages in docs/man stay true to the built commands: testbedctl's
/// pages are what scripts/make-man generates from testbedctl now, and the
/// hand-written testbedd(8) documents exactly the flags testbedd accepts.
/// (testbedd.toml(5) against the configuration parser: ConfigurationManualTests.)
@Suite struct ManualPageTests {
    static let manuals = SystemdGlueTests.repository + "/docs/man"

    @Test func theCommittedTestbedctlPagesAreWhatTheCommandsGenerate() async throws {
        let generator = Binaries.folder + "/generate-manual"
        try #require(
            FileManager.default.isExecutableFile(atPath: generator),
            "\(generator) is missing: build it with `swift build --product generate-manual` (scripts/test does)")
        let check = try await ProcessRun.run(
            SystemdGlueTests.repository + "/scripts/make-man", ["--binaries", Binaries.folder, "--check"], timeout: .seconds(120))
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        // One page per command, subcommands included.
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.manuals)
        for page in ["testbedctl.1", "testbedctl.deployment.1", "testbedctl.deployment.list.1", "testbedctl.logs.1", "testbedctl.cluster.ca.init.1"] {
            #expect(pages.contains(page), "\(page)")
        }
    }

    @Test func testbeddsPageDocumentsEveryFlagItAcceptsAndNoOther() async throws {
        let dump = try await ProcessRun.run(Binaries.testbedd, ["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let tool = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        let arguments = try #require((tool?["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var accepted: Set<String> = []
        for argument in arguments where argument["shouldDisplay"] as? Bool != false {
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let text = name["name"] as? String else { return nil }
                return (name["kind"] as? String == "short" ? "-" : "--") + text
            }
            if names.isEmpty, let value = argument["valueName"] as? String { accepted.insert(value) }
            accepted.formUnion(names)
        }
        #expect(accepted.contains("--print-config") && accepted.contains("--max-connections-per-uid") && accepted.contains("mode"))

        let page = try String(contentsOfFile: Self.manuals + "/testbedd.8", encoding: .utf8)
        let options = try #require(Self.section("OPTIONS", of: page))
        var documented: Set<String> = []
        for line in options.split(separator: "\n") where line.hasPrefix(".It ") {
            // `.It Fl h , -help`, `.It Fl -socket Ar path`, `.It Ar mode`.
            let words = line.split(separator: " ").dropFirst().map(String.init)
            if words.first == "Fl" {
                for (index, word) in words.enumerated() where index > 0 && (words[index - 1] == "Fl" || words[index - 1] == ",") && word != "," {
                    documented.insert("-" + word)
                }
            } else if words.first == "Ar", words.count > 1 {
                documented.insert(words[1])
            }
        }
        #expect(documented.subtracting(accepted).sorted() == [], "documented in testbedd.8 but not accepted by testbedd")
        #expect(accepted.subtracting(documented).sorted() == [], "accepted by testbedd but not documented in testbedd.8")
    }

    /// The text of section `name` of an mdoc page, up to the next `.Sh`.
    static func section(_ name: String, of page: String) -> String? {
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == ".Sh \(name)" || $0 == ".Sh \"\(name)\"" }) else { return nil }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.hasPrefix(".Sh ") } ?? rest.endIndex
        return rest[..<end].joined(separator: "\n")
    }
}
