import Foundation
import Testing

/// testbedctl starts in milliseconds partly because it loads no ICU: its
/// modules (Protocol, PKI, the CLI) use FoundationEssentials, not Foundation.
@Suite struct CLILinkageTests {
    @Test func testbedctlLinksFoundationEssentialsOnlyAndNoICU() async throws {
        let ldd = try await ProcessRun.run("/usr/bin/ldd", [Binaries.testbedctl])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        let libraries = ldd.stdout.split(separator: "\n").map { String($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") }
        #expect(libraries.contains("libFoundationEssentials.so"), "\(ldd.stdout)")
        for forbidden in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"] {
            #expect(!libraries.contains(forbidden), "testbedctl links \(forbidden):\n\(ldd.stdout)")
        }
    }
}
