import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// What a hostile local user can make the daemon hold, through the
/// world-connectable read-only socket: each attack reproduced with a real
/// client running as another uid, and the bound asserted.
@Suite struct HardeningTests {
    static let mebibyte = 1_048_576

    /// Root's `rpc.ping` on the read-write socket, and how long it took, connection included.
    static func timedPing(_ socket: String) async throws -> (answered: Bool, seconds: Double) {
        try await onOwnThread {
            let start = ContinuousClock.now
            let client = try RawClient(path: socket, timeoutSeconds: 10)
            let answer = try client.call("rpc.ping")
            let elapsed = ContinuousClock.now - start
            return (answer.result != nil, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    @Test func clientsThatNeverReadCannotGrowTheDaemonsMemoryAndItIsGivenBack() async throws {
        let sandbox = try Sandbox()
        // 100 connections of one uid: the per-uid cap is raised so that the output bound is what is tested.
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--max-connections-per-uid", "128"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let project = try sandbox.project("p")
        for i in 0..<300 {
            let _: Deployment = try await client.call(
                RPCMethod.deploymentCreate, params: CreateParams(name: String(format: "deployment-%03d", i), projectLocation: project))
        }
        let list = try RawClient(path: sandbox.socket).call("deployment.list")
        let answerBytes = try JSONSerialization.data(withJSONObject: list).count
        #expect(answerBytes > 40_000)  // each pipelined request asks for about 46 KB
        try await Task.sleep(for: .seconds(1))
        let pid = daemon.child.pid
        let idle = ProcessStatus.bytes("VmRSS", of: pid)

        let flood = try await HostileClient(
            socket: sandbox.path + "/d-ro.sock", ["flood", "100", "deployment.list", "2"], in: sandbox)
        #expect(flood.report.opened == 100)
        // The attack asked for far more than the bound allows: 64 requests per send, for seconds.
        #expect(flood.report.sent > 100 * 64 * 40)
        let ping = try await Self.timedPing(sandbox.socket)
        #expect(ping.answered && ping.seconds < 2, "root waited \(ping.seconds) s during the flood")
        let peak = ProcessStatus.bytes("VmHWM", of: pid)
        let bound = idle + 100 * 256 * 1024 + 32 * Self.mebibyte
        #expect(peak <= bound, "peak RSS \(peak / Self.mebibyte) MiB, idle \(idle / Self.mebibyte) MiB, bound \(bound / Self.mebibyte) MiB")

        try await flood.stop()
        var after = Int.max
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            after = ProcessStatus.bytes("VmRSS", of: pid)
            if after <= idle + 32 * Self.mebibyte { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(after <= idle + 32 * Self.mebibyte, "RSS \(after / Self.mebibyte) MiB 30 s after the clients left; idle was \(idle / Self.mebibyte) MiB")
        await client.close()
        #expect(try await daemon.stop() == 0)
    }

    @Test func theDaemonsWholeOutputIsBoundedYetRootIsServedAndOthersResume() async throws {
        let sandbox = try Sandbox()
        // 10 clients × 64 KiB each could queue 640 KiB: the daemon-wide 256 KiB holds them first.
        let daemon = try await Fixtures.daemon(in: sandbox, extra: [
            "--connection-output-bytes", "65536", "--output-bytes", "262144",
        ])
        let project = try sandbox.project("p")
        let setup = try RawClient(path: sandbox.socket)
        for i in 0..<100 {
            let created = try setup.call("deployment.create", id: i, params: #"{"name":"d\#(i)","project_location":"\#(project)"}"#)
            #expect(created.result != nil)
        }
        let flood = try await HostileClient(socket: sandbox.path + "/d-ro.sock", ["flood", "10", "deployment.list", "2"], in: sandbox)
        #expect(flood.report.opened == 10)
        // Root is never held by the daemon-wide budget.
        let start = ContinuousClock.now
        let list = try RawClient(path: sandbox.socket, timeoutSeconds: 5).call("deployment.list")
        #expect((list.result?["deployments"] as? [Any])?.count == 100)
        #expect(ContinuousClock.now - start < .seconds(2))
        // Another user waits while the budget is spent, and is served once the flood is gone.
        let out = sandbox.path + "/eve.out"
        let eve = try ChildProcess(
            "/usr/bin/setpriv",
            ["--reuid", String(TestUser.eve.uid), "--regid", String(TestUser.eve.uid), "--clear-groups", "--",
             HostileClient.program, sandbox.path + "/d-ro.sock", "call", #"{"jsonrpc":"2.0","id":7,"method":"deployment.list"}"#],
            environment: childEnvironment([:]), stdout: out, stderr: out)
        try await Task.sleep(for: .seconds(1))
        #expect(eve.isRunning, "eve was served while the budget was spent: \((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")")
        try await flood.stop()
        #expect(try await eve.wait(timeout: .seconds(20), what: "eve's deployment.list") == 0)
        let served = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        #expect(served.contains(#""id": 7"#), "\(served)")
        #expect(served.contains("\"d99\""))
        #expect(try await daemon.stop() == 0)
    }

    @Test func oneUserCannotTakeTheDaemonsDescriptorsNorMakeItSpin() async throws {
        let sandbox = try Sandbox()
        // As the attack was first run: testbedd under a limit of 1024 descriptors, 1,100 connections holding half a frame.
        let daemon = try DaemonProcess(
            executable: "/usr/bin/prlimit",
            arguments: ["--nofile=1024:1024", Binaries.testbedd, "--socket", sandbox.socket, "--state-dir", sandbox.state,
                        "--orchestrator", Fixtures.orchestrator, "--log-level", "debug"],
            socket: sandbox.socket, logPath: sandbox.path + "/testbedd.log")
        try await daemon.waitUntilAccepting()
        let pid = daemon.child.pid
        let held = try await HostileClient(socket: sandbox.path + "/d-ro.sock", ["partial", "1100"], in: sandbox)
        #expect(held.report.opened == 64)
        #expect(held.report.refused == 1100 - 64)
        #expect(held.report.refusals == [
            "uid 65534 already holds 64 connections to testbedd (max_connections_per_uid); close some and try again",
        ])
        let ping = try await Self.timedPing(sandbox.socket)
        #expect(ping.answered && ping.seconds < 2, "root waited \(ping.seconds) s")
        // Holding: the daemon does not spin on anything meanwhile.
        let before = ProcessStatus.cpuSeconds(of: pid)
        try await Task.sleep(for: .seconds(3))
        let used = ProcessStatus.cpuSeconds(of: pid) - before
        #expect(used < 0.15, "testbedd used \(used) s of CPU in 3 s while the connections were held")
        // And an action's outcome is still saved: the daemon's own files have their descriptors.
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", in: sandbox, client: client)
        let outcome = try await client.follow(RPCMethod.deploymentUp.name, params: UpParams(name: "web", follow: true), as: ActionOutcome.self)
        #expect(outcome.result.errorCode == 0 && outcome.result.signal == nil)
        #expect(outcome.result.endState == .up)
        try await held.stop()
        await client.close()
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("refused a connection: uid 65534 already holds 64 connections"))
    }

    /// A listener whose accepts fail for want of descriptors rests instead of
    /// retrying at once: the limit is lowered under the running daemon so that
    /// accept itself fails, whatever the caps say.
    @Test func aListenerOutOfDescriptorsRestsInsteadOfSpinning() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox)
        let pid = daemon.child.pid
        let lowered = try await ProcessRun.run("/usr/bin/prlimit", ["--pid", String(pid), "--nofile=\(ProcessStatus.descriptors(of: pid) + 8):4096"])
        #expect(lowered.status == 0, "\(lowered.stderr)")
        let held = try await HostileClient(socket: sandbox.path + "/d-ro.sock", ["backlog", "40"], in: sandbox)
        #expect(held.report.opened == 40)  // connected: most wait in the kernel's backlog
        let before = ProcessStatus.cpuSeconds(of: pid)
        try await Task.sleep(for: .seconds(3))
        let used = ProcessStatus.cpuSeconds(of: pid) - before
        #expect(used < 0.15, "testbedd used \(used) s of CPU in 3 s with accept failing")
        try await held.stop()
        // Descriptors back: the listener serves again.
        let ping = try await Self.timedPing(sandbox.socket)
        #expect(ping.answered && ping.seconds < 2)
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("accepting connections failed"))
    }

    @Test(arguments: [
        (["--max-ro-connections", "5"], 5, "the read-only socket is serving its maximum of 5 connections (max_ro_connections)"),
        (["--max-connections", "40"], 8, "the last 32 of its 40 (max_connections) are kept for root and admins"),
    ])
    func theReadOnlySocketAndTheWholeDaemonAreCapped(flags: [String], allowed: Int, refusal: String) async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: flags)
        let held = try await HostileClient(socket: sandbox.path + "/d-ro.sock", ["hold", "20"], in: sandbox)
        #expect(held.report.opened == allowed)
        #expect(held.report.refusals.count == 1)
        #expect(held.report.refusals.first?.contains(refusal) == true, "\(held.report.refusals)")
        // Another user is told why, and testbedctl says so with the busy exit code.
        let refused = try await TestUser.eve.ctl(["status"], socket: sandbox.path + "/d-ro.sock")
        #expect(refused.status == 75, "\(refused.stderr)")
        #expect(refused.stderr.contains(refusal), "\(refused.stderr)")
        // Root still gets in, on either socket's reserve.
        let ping = try await Self.timedPing(sandbox.socket)
        #expect(ping.answered && ping.seconds < 2)
        try await held.stop()
        // Places are given back when connections close.
        let again = try await HostileClient(socket: sandbox.path + "/d-ro.sock", ["hold", "20"], in: sandbox)
        #expect(again.report.opened == allowed)
        try await again.stop()
        #expect(try await daemon.stop() == 0)
    }

    @Test func aFrameMustArriveWholeWithinFrameTimeoutHoweverSlowlyItTrickles() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--frame-timeout", "2"])
        // Timed on a thread of its own: the test's clock must not depend on a
        // cooperative pool that other tests may keep busy.
        let socket = sandbox.socket
        // A frame in three parts over 0.4 s is served.
        let served = try await onOwnThread {
            let patient = try RawClient(path: socket)
            let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#.utf8)
            let frame = [0, 0, 0, UInt8(request.count)] + request
            try patient.send(Array(frame[..<2]))
            usleep(200_000)
            try patient.send(Array(frame[2..<10]))
            usleep(200_000)
            try patient.send(Array(frame[10...]))
            return try patient.readFrame()?.result != nil
        }
        #expect(served)

        // A byte every 100 ms keeps the connection busy but never completes the frame.
        let (code, message, closed, elapsed) = try await onOwnThread {
            let start = ContinuousClock.now
            let trickle = try RawClient(path: socket, timeoutSeconds: 10)
            try trickle.send([0, 0, 1, 0])
            for _ in 0..<80 {
                usleep(100_000)
                guard (try? trickle.send([0x20])) != nil else { break }
            }
            let refusal = try trickle.readFrame()
            let elapsed = ContinuousClock.now - start
            return (refusal?.errorCode, refusal?.errorMessage, try trickle.isClosedByPeer(), elapsed)
        }
        #expect(code == -32600)
        #expect(message?.contains("frame_timeout") == true)
        #expect(closed)
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(5), "closed after \(elapsed)")
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("was not complete within frame_timeout"))
    }

    @Test func anIdleConnectionIsClosedButNotOneThatFollowsALog() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--connection-idle-timeout", "2"])
        let folder = try sandbox.project("web")
        try Fixtures.setBehaviour("slow 2 3", of: folder)
        let socket = sandbox.socket
        // Blocking clients on threads of their own: nothing between connecting
        // and asking waits for the cooperative pool, however busy the machine.
        let created = try await onOwnThread {
            try RawClient(path: socket).call("deployment.create", params: #"{"name":"web","project_location":"\#(folder)"}"#).result != nil
        }
        #expect(created)
        let idle = try RawClient(path: sandbox.socket, timeoutSeconds: 20)
        let start = ContinuousClock.now
        let idleClosed = Task { try await onOwnThread { try idle.isClosedByPeer() } }
        // Silent for 3 s at a time between log lines: longer than the idle timeout.
        let (lines, errorCode) = try await onOwnThread {
            let follower = try RawClient(path: socket, timeoutSeconds: 20)
            try follower.sendFrame(#"{"jsonrpc":"2.0","id":1,"method":"deployment.up","params":{"name":"web","follow":true}}"#)
            var lines: [String] = []
            while let frame = try follower.readFrame() {
                if frame["id"] as? Int == 1 {
                    return (lines, frame.result?["error_code"] as? Int ?? frame.errorCode)
                }
                lines += ((frame["params"] as? [String: Any])?["lines"] as? [String]) ?? []
            }
            throw ProcessRunError("the follower's connection closed before the action's outcome")
        }
        #expect(errorCode == 0)
        #expect(lines.contains("line 2"))
        #expect(try await idleClosed.value)
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(try await daemon.stop() == 0)
    }

    @Test func stoppingTakesNoLongerThanTheShutdownTimeoutWhateverClientsDo() async throws {
        let sandbox = try Sandbox()
        let daemon = try await Fixtures.daemon(in: sandbox, extra: ["--shutdown-timeout", "2"])
        let client = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        _ = try await Fixtures.deployment("web", behaviour: "hang", in: sandbox, client: client)
        let started: ActionStarted = try await client.call(RPCMethod.deploymentUp, params: UpParams(name: "web"))
        let project = try sandbox.project("p")
        for i in 0..<50 {
            let _: Deployment = try await client.call(RPCMethod.deploymentCreate, params: CreateParams(name: "d\(i)", projectLocation: project))
        }
        // Three connections with answers queued that they will never read.
        let stuck = try await HostileClient(socket: sandbox.path + "/d-ro.sock", ["flood", "3", "deployment.list", "1"], in: sandbox)
        #expect(stuck.report.opened == 3)
        let start = ContinuousClock.now
        // The shutdown timeout, the action's cancel grace (1 s), and a margin for a loaded machine.
        #expect(try await daemon.stop(timeout: .seconds(8)) == 0)
        let took = ContinuousClock.now - start
        #expect(took < .seconds(6), "stopping took \(took)")
        try await stuck.stop()
        await client.close()

        // Without systemd, the running action was cancelled and its outcome recorded.
        let restarted = try await Fixtures.daemon(in: Sandbox(reusing: sandbox.path))
        let again = try await RPCConnection.connect(unixSocketPath: sandbox.socket)
        let record: ActionRecord = try await again.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
        #expect(record.note == "action cancelled: testbedd is stopping")
        await again.close()
        #expect(try await restarted.stop() == 0)
    }
}
