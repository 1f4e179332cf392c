import Foundation
import Testing

/// The manual pages in docs/man stay true to the built commands: testbedctl's
/// pages are what scripts/make-man generates from testbedctl now.
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
}
