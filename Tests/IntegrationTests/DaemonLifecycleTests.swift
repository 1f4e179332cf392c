import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Start-up, shutdown and socket handling of the real daemon.
@Suite struct DaemonLifecycleTests {
    @Test func helloReportsTheCallersCredentials() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        let hello = try RawClient(path: sandbox.socket).call("rpc.hello")
        let result = try #require(hello.result)
        #expect(result["server"] as? String == "testbedd")
        #expect(result["protocol"] as? Int == 1)
        #expect(result["mode"] as? String == "main")
        let identity = try #require(result["identity"] as? [String: Any])
        #expect(identity["uid"] as? Int == Int(getuid()))
        #expect(identity["gid"] as? Int == Int(getgid()))
        #expect(identity["pid"] as? Int == Int(getpid()))
        #expect(try await daemon.stop() == 0)
    }

    @Test func theSocketGetsItsModeAndIsRemovedOnSIGTERM() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox, extra: ["--socket-mode", "0600"])
        var info = stat()
        #expect(lstat(sandbox.socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try await daemon.stop(signal: SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: sandbox.socket))
        #expect(daemon.log.contains("testbedd stopped"))
    }

    @Test func SIGINTAlsoStopsGracefully() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        #expect(try await daemon.stop(signal: SIGINT) == 0)
        #expect(daemon.log.contains("testbedd stopped"))
    }

    @Test func aSecondDaemonRefusesALiveSocket() async throws {
        let sandbox = try Sandbox()
        let first = try await DaemonProcess.start(in: sandbox)
        let second = try DaemonProcess(
            arguments: ["--socket", sandbox.socket, "--state-dir", sandbox.path + "/other"],
            socket: sandbox.socket, logPath: sandbox.path + "/second.log")
        #expect(try await second.waitForExit() != 0)
        #expect(second.log.contains("another testbedd is already serving"))
        // The first daemon's socket is untouched.
        #expect(try RawClient(path: sandbox.socket).call("rpc.ping").result != nil)
        #expect(try await first.stop() == 0)
    }

    @Test func aStaleSocketFileIsReplaced() async throws {
        let sandbox = try Sandbox()
        let crashed = try await DaemonProcess.start(in: sandbox)
        #expect(try await crashed.stop(signal: SIGKILL) == 128 + SIGKILL)
        #expect(FileManager.default.fileExists(atPath: sandbox.socket))  // left behind by the crash
        let daemon = try await DaemonProcess.start(in: sandbox)
        #expect(try RawClient(path: sandbox.socket).call("rpc.ping").result != nil)
        #expect(try await daemon.stop() == 0)
    }

    @Test func aPathThatIsNotASocketIsNeverDeleted() async throws {
        let sandbox = try Sandbox()
        _ = try sandbox.write("precious", to: "d.sock")
        let daemon = try DaemonProcess(
            arguments: ["--socket", sandbox.socket, "--state-dir", sandbox.state],
            socket: sandbox.socket, logPath: sandbox.path + "/d.log")
        #expect(try await daemon.waitForExit() != 0)
        #expect(daemon.log.contains("exists and is not a socket"))
        #expect(try String(contentsOfFile: sandbox.socket, encoding: .utf8) == "precious")
    }

    @Test func configurationPrecedenceIsFlagThenFileThenDefault() async throws {
        let sandbox = try Sandbox()
        let file = try sandbox.write("""
            socket = "/from/file.sock"
            state_dir = "/from/file/state"
            store = "sqlite"
            """, to: "c.toml")
        let fromFile = try await ProcessRun.run(Binaries.testbedd, ["--config", file, "--print-config"])
        #expect(fromFile.status == 0)
        #expect(fromFile.stdout.contains(#"socket = "/from/file.sock""#))
        #expect(fromFile.stdout.contains(#"store = "sqlite""#))
        #expect(fromFile.stdout.contains(#"max_frame_bytes = 1048576"#))

        // TESTBED_SOCKET is testbedctl's: the daemon never reads it.
        let fromEnv = try await ProcessRun.run(
            Binaries.testbedd, ["--config", file, "--print-config"], environment: ["TESTBED_SOCKET": "/from/env.sock"])
        #expect(fromEnv.stdout.contains(#"socket = "/from/file.sock""#))

        let fromFlag = try await ProcessRun.run(
            Binaries.testbedd, ["--config", file, "--socket", "/from/flag.sock", "--store", "file", "--print-config"],
            environment: ["TESTBED_SOCKET": "/from/env.sock"])
        #expect(fromFlag.stdout.contains(#"socket = "/from/flag.sock""#))
        #expect(fromFlag.stdout.contains(#"store = "file""#))
        #expect(fromFlag.stdout.contains(#"state_dir = "/from/file/state""#))

        let dev = try await ProcessRun.run(
            Binaries.testbedd, ["--dev", "--print-config"], environment: ["TESTBED_SOCKET": "/run/testbedos/testbedd.sock"], in: sandbox.path)
        #expect(dev.stdout.contains(#"socket = "\#(sandbox.path)/.testbedos/testbedd.sock""#))
        #expect(dev.stdout.contains(#"log_level = "notice""#))

        let bad = try await ProcessRun.run(Binaries.testbedd, ["--config", try sandbox.write("store = 1", to: "bad.toml")])
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("store"))
    }

    @Test func devModeNeedsNoRootPathsAndServes() async throws {
        let sandbox = try Sandbox()
        let socket = sandbox.path + "/.testbedos/testbedd.sock"
        // A client's TESTBED_SOCKET left in the shell does not move the daemon.
        let daemon = try DaemonProcess(
            executable: Binaries.testbedd, arguments: ["--dev", "--orchestrator", sandbox.path + "/no-such-tool"],
            socket: socket, logPath: sandbox.path + "/dev.log", environment: ["TESTBED_SOCKET": sandbox.path + "/elsewhere.sock"],
            in: sandbox.path)
        try await daemon.waitUntilAccepting()
        #expect(FileManager.default.fileExists(atPath: sandbox.path + "/.testbedos/deployments"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/elsewhere.sock"))
        try await eventually("it says where it listens") { daemon.log.contains("export TESTBED_SOCKET=") }
        let log = daemon.log
        #expect(log.contains("testbedd --dev is serving \(socket); in another shell: export TESTBED_SOCKET=\(socket)\n"), "\(log)")
        // Notice and above only, and a warning that actions cannot run.
        #expect(log.contains("the orchestrator \(sandbox.path)/no-such-tool cannot be run"), "\(log)")
        #expect(!log.contains(" debug ") && !log.contains(" info "), "\(log)")
        #expect(try await daemon.stop() == 0)
    }

    @Test func devModeServesWithItsStandardOutputClosed() async throws {
        // The line it prints cannot be written: it serves all the same.
        let sandbox = try Sandbox()
        let socket = sandbox.path + "/.testbedos/testbedd.sock"
        let daemon = try DaemonProcess(
            executable: "/bin/sh", arguments: ["-c", "exec \"$0\" --dev >&-", Binaries.testbedd],
            socket: socket, logPath: sandbox.path + "/dev.log", in: sandbox.path)
        try await daemon.waitUntilAccepting()
        let status = try await ProcessRun.run(Binaries.testbedctl, ["status", "--socket", socket])
        #expect(status.status == 0, "\(status.stderr)\n\(daemon.log)")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aStartThatCannotSucceedCreatesNothing() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        // Another daemon already serves the socket.
        let second = try await ProcessRun.run(
            Binaries.testbedd, ["--socket", sandbox.socket, "--state-dir", sandbox.path + "/second-state"], timeout: .seconds(20))
        #expect(second.status != 0)
        #expect(second.stderr.contains("another testbedd is already serving \(sandbox.socket)"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/second-state"))
        // The socket cannot go where it is asked to.
        let file = try sandbox.write("not a folder", to: "plain")
        let blocked = try await ProcessRun.run(
            Binaries.testbedd, ["--socket", file + "/d.sock", "--state-dir", sandbox.path + "/third-state"], timeout: .seconds(20))
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("cannot create the socket \(file)/d.sock: \(file) is not a folder"), "\(blocked.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/third-state"))
        #expect(try await daemon.stop() == 0)
    }
}
