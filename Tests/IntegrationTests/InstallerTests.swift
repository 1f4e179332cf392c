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
        let manuals = try Self.manualPages()
        #expect(manuals.count > 30, "\(manuals)")
        for (page, installed) in manuals {
            #expect(first.stdout.contains("install: installed \(installed)"), "\(installed)")
            #expect(FileManager.default.contents(atPath: root + installed) == FileManager.default.contents(atPath: page), "\(installed)")
        }
        for path in Self.completions {
            #expect(first.stdout.contains("install: installed \(path)"), "\(path)")
            #expect(!((try? String(contentsOfFile: root + path, encoding: .utf8)) ?? "").isEmpty, "\(path)")
        }

        let again = try await ProcessRun.run(Self.scripts + "/install", ["--root", root, "--binaries", binaries])
        #expect(again.status == 0)
        #expect(again.stdout.contains("unchanged /usr/local/bin/testbedd"))
        #expect(!again.stdout.contains("installed /usr/local/bin"))
        for path in Self.completions + ["/usr/local/share/man/man1/testbedctl.1", "/usr/local/share/man/man8/testbedd.8"] {
            #expect(again.stdout.contains("install: unchanged \(path)"), "\(path)")
        }
        // A page of a command that is gone goes on the next install.
        let leftover = root + "/usr/local/share/man/man1/testbedctl.gone.1"
        try Data(".Dd\n".utf8).write(to: URL(fileURLWithPath: leftover))
        let upgrade = try await ProcessRun.run(Self.scripts + "/install", ["--root", root, "--binaries", binaries])
        #expect(upgrade.status == 0 && upgrade.stdout.contains("removed /usr/local/share/man/man1/testbedctl.gone.1"))
        #expect(!FileManager.default.fileExists(atPath: leftover))

        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/var/lib/testbedos/keep.json"))
        let removed = try await ProcessRun.run(Self.scripts + "/uninstall", ["--root", root])
        #expect(removed.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/bin/testbedd"))
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/bin/testbed-netns"))
        for path in try Self.manualPages().map(\.installed) + Self.completions {
            #expect(!FileManager.default.fileExists(atPath: root + path), "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: root + "/var/lib/testbedos/keep.json"))
        let purged = try await ProcessRun.run(Self.scripts + "/uninstall", ["--root", root, "--purge"])
        #expect(purged.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/var/lib/testbedos"))

        let unknown = try await ProcessRun.run(Self.scripts + "/install", ["--frobnicate"])
        #expect(unknown.status == 64)
    }

    /// Where scripts/install puts testbedctl's bash, zsh and fish completions.
    static let completions = [
        "/usr/local/share/bash-completion/completions/testbedctl", "/usr/local/share/zsh/site-functions/_testbedctl",
        "/usr/local/share/fish/vendor_completions.d/testbedctl.fish",
    ]

    /// Every page in docs/man, and where it is installed.
    static func manualPages() throws -> [(page: String, installed: String)] {
        let folder = SystemdGlueTests.repository + "/docs/man"
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().compactMap { name in
            guard let section = name.split(separator: ".").last, ["1", "5", "8"].contains(section) else { return nil }
            return (folder + "/" + name, "/usr/local/share/man/man\(section)/\(name)")
        }
    }

    @Test func installedManualPagesAndCompletionsWork() async throws {
        let sandbox = try Sandbox()
        let root = sandbox.path + "/root"
        let binaries = URL(fileURLWithPath: Binaries.testbedd).deletingLastPathComponent().path
        let install = try await ProcessRun.run(Self.scripts + "/install", ["--root", root, "--binaries", binaries])
        #expect(install.status == 0, "\(install.stderr)")

        // testbedctl(1) and a page per subcommand, testbedd.toml(5) and testbedd(8).
        let installed = Set(try Self.manualPages().map(\.installed))
        for path in [
            "/usr/local/share/man/man1/testbedctl.1", "/usr/local/share/man/man1/testbedctl.deployment.create.1",
            "/usr/local/share/man/man1/testbedctl.logs.1", "/usr/local/share/man/man5/testbedd.toml.5", "/usr/local/share/man/man8/testbedd.8",
        ] {
            #expect(installed.contains(path), "\(path)")
        }
        let groff = try #require(
            ["/usr/bin/groff", "/bin/groff"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "groff is missing: scripts/bootstrap installs groff-base")
        for path in installed.sorted() {
            let text = try String(contentsOfFile: root + path, encoding: .utf8)
            // mdoc: a date, then the title and section the file is named for.
            let name = URL(fileURLWithPath: path).lastPathComponent
            let title = name.split(separator: ".").dropLast().joined(separator: ".").uppercased()
            let macros = text.split(separator: "\n").filter { $0.hasPrefix(".") && !$0.hasPrefix(".\\\"") }
            #expect(macros.first?.hasPrefix(".Dd ") == true, "\(path)")
            #expect(macros.dropFirst().first == ".Dt \(title) \(name.split(separator: ".").last!)", "\(path)")
            #expect(text.contains(".Sh NAME") && text.contains(".Sh DESCRIPTION"), "\(path)")
            // Renders without a single warning.
            let rendered = try await ProcessRun.run(groff, ["-mandoc", "-Tutf8", "-ww", "-z", root + path])
            #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(path): \(rendered.stderr)")
        }

        // Each completion script is for testbedctl, in its shell's form.
        let bash = try String(contentsOfFile: root + Self.completions[0], encoding: .utf8)
        let zsh = try String(contentsOfFile: root + Self.completions[1], encoding: .utf8)
        let fish = try String(contentsOfFile: root + Self.completions[2], encoding: .utf8)
        #expect(bash.contains("complete -o filenames -F _testbedctl testbedctl"))
        #expect(bash.contains("---completion logs -- positional@1"))
        #expect(zsh.hasPrefix("#compdef testbedctl") && zsh.contains("---completion logs -- positional@1"))
        #expect(fish.contains("complete -c 'testbedctl'") && fish.contains("---completion logs -- positional@1"))
        // bash takes the installed file and knows how to complete testbedctl with it.
        let sourced = try await ProcessRun.run("/bin/bash", ["-c", "source \"$1\" && complete -p testbedctl", "bash", root + Self.completions[0]])
        #expect(sourced.status == 0 && sourced.stdout == "complete -o filenames -F _testbedctl testbedctl\n", "\(sourced.stderr)")
    }
}
