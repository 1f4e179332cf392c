import Foundation
import Testing

/// scripts/install and scripts/uninstall, into a staging root (the system test
/// in a booted container exercises the rest: groups, systemctl).
@Suite struct InstallerTests {
    static let scripts = SystemdGlueTests.repository + "/scripts"

    @Test func installIsIdempotentAndUninstallKeepsStateUnlessPurged() async throws {
        let sandbox = try Sandbox()
        let root = sandbox.path + "/root"
        let binaries = URL(fileURLWithPath: Binaries.testbedd).deletingLastPathComponent().path
        let first = try await ProcessRun.run(Self.scripts + "/install", ["--root", root, "--binaries", binaries])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("install: installed /usr/local/bin/testbedd"))
        for path in [
            "/usr/local/bin/testbedd", "/usr/local/bin/testbedctl", "/usr/local/bin/testbed-netns", "/etc/systemd/system/testbedd.socket",
            "/etc/systemd/system/testbedd-ro.socket", "/etc/systemd/system/testbedd-bridge.socket", "/etc/systemd/system/testbedd.service",
            "/etc/sysusers.d/testbedos.conf", "/usr/local/share/doc/testbedos/security.md",
        ] {
            #expect(FileManager.default.fileExists(atPath: root + path), "\(path)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/usr/local/bin/testbedd")[.posixPermissions] as? Int
        #expect(mode == 0o755)

        let again = try await ProcessRun.run(Self.scripts + "/install", ["--root", root, "--binaries", binaries])
        #expect(again.status == 0)
        #expect(again.stdout.contains("unchanged /usr/local/bin/testbedd"))
        #expect(!again.stdout.contains("installed /usr/local/bin"))

        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/var/lib/testbedos/keep.json"))
        let removed = try await ProcessRun.run(Self.scripts + "/uninstall", ["--root", root])
        #expect(removed.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/bin/testbedd"))
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/bin/testbed-netns"))
        #expect(FileManager.default.fileExists(atPath: root + "/var/lib/testbedos/keep.json"))
        let purged = try await ProcessRun.run(Self.scripts + "/uninstall", ["--root", root, "--purge"])
        #expect(purged.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/var/lib/testbedos"))

        let unknown = try await ProcessRun.run(Self.scripts + "/install", ["--frobnicate"])
        #expect(unknown.status == 64)
    }
}
