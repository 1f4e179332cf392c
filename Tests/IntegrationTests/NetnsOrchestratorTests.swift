import Foundation
import TestbedNetns
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// testbed-netns end to end, as root, through testbedd and testbedctl: a real
/// testbed of network namespaces, owned by an unprivileged user.
@Suite struct NetnsOrchestratorTests {
    /// Two switches joined by a router; `a` on sw0, `b` on sw1, `lonely` on sw1 without a gateway.
    static let twoSwitches = """
        machines:
          - name: a
            network: [{ switch: sw0, ip: "10.0.0.10", gateway: "10.0.0.1" }]
            netns:
              setup_script: "echo set up > setup.done"
              command: "echo started as $(id -u); exec sleep infinity"
          - name: b
            network: [{ switch: sw1, ip: "10.0.1.10", gateway: "10.0.1.1" }]
            netns: { command: "exec sleep infinity" }
          - name: lonely
            network: [{ switch: sw1, ip: "10.0.1.11" }]
            netns: { command: "exec sleep infinity" }
        network:
          ovn:
            switches:
              sw0: { subnet: "10.0.0.0/24" }
              sw1: { subnet: "10.0.1.0/24" }
            routers:
              lr0:
                ports:
                  - { name: lr0-sw0, mac: "02:00:00:00:ff:01", gateway_ip: "10.0.0.1/24", switch: sw0 }
                  - { name: lr0-sw1, mac: "02:00:00:00:ff:02", gateway_ip: "10.0.1.1/24", switch: sw1 }

        """

    @Test func aTestbedComesUpConnectedRunsAsItsOwnerAndGoesDownLeavingNothing() async throws {
        let lab = try await NetnsLab.start()
        let folder = try lab.project("lab", Self.twoSwitches, owner: .alice)
        let identity = lab.identity("lab", folder: folder)
        let host = try await NetnsLab.hostNetwork()
        #expect(try await lab.ctl(["deployment", "create", "lab", "--path", folder], as: .alice).status == 0)

        let up = try await lab.ctl(["up", "lab"], as: .alice)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.contains("lab is up: 3 guests, 1 routers, 2 switches"))
        #expect(lab.namespaces(identity).count == 5)  // fabric, lr0, a, b, lonely

        // Across the router, on one switch, and not to a switch without a route.
        #expect(try await lab.ping(identity, from: "a", "10.0.1.10"))
        #expect(try await lab.ping(identity, from: "lonely", "10.0.1.10"))
        #expect(try await !lab.ping(identity, from: "lonely", "10.0.0.10"))
        // The owner can ping from inside its guest, without any capability.
        let ownPing = try await lab.inGuest(identity, "a", [
            "/usr/bin/setpriv", "--reuid=64001", "--regid=64001", "--clear-groups", NetnsLab.ping, "-c", "1", "-W", "2", "10.0.0.1",
        ])
        #expect(ownPing.status == 0, "\(ownPing.stderr)")

        // The guests' commands outlive the action, as the owner, with no capabilities.
        let processes = lab.processes(identity)
        #expect(processes.count >= 3)
        for pid in processes {
            #expect(NetnsLab.status(pid, "Uid")?.hasPrefix("64001\t64001\t64001") == true, "pid \(pid)")
            #expect(NetnsLab.status(pid, "CapEff") == "0000000000000000")
            #expect(NetnsLab.status(pid, "CapPrm") == "0000000000000000")
            #expect(NetnsLab.status(pid, "NoNewPrivs") == "1")
        }
        var info = stat()
        #expect(stat(folder + "/artefacts/a/root/setup.done", &info) == 0 && info.st_uid == 64001)
        let console = try await waitForText("started as 64001", in: folder + "/artefacts/a/console.log")
        #expect(console)
        #expect(FileManager.default.fileExists(atPath: folder + "/lab-state.json"))

        // A second up changes nothing.
        let again = try await lab.ctl(["up", "lab"], as: .alice)
        #expect(again.status == 0)
        #expect(again.stdout.contains("already up and unchanged: nothing to do"))
        #expect(Set(lab.processes(identity)) == Set(processes))

        let down = try await lab.ctl(["down", "lab"], as: .alice)
        #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
        #expect(down.stdout.contains("lab is down: removed 5 namespaces"))
        #expect(lab.namespaces(identity).isEmpty)
        // Gone, or exited and waiting for init to reap them.
        #expect(processes.allSatisfy { kill($0, 0) != 0 || NetnsLab.status($0, "State")?.hasPrefix("Z") == true })
        #expect(try await NetnsLab.hostNetwork() == host)
        #expect(!FileManager.default.fileExists(atPath: StateFile(identity: identity).path))

        // down of nothing deployed succeeds.
        let twice = try await lab.ctl(["down", "lab"], as: .alice)
        #expect(twice.status == 0)
        #expect(twice.stdout.contains("nothing of lab is deployed"))
    }

    @Test func aFailingSetupScriptRollsEverythingBack() async throws {
        let lab = try await NetnsLab.start()
        let yaml = Self.twoSwitches.replacingOccurrences(of: "echo set up > setup.done", with: "echo about to fail; exit 1")
        let folder = try lab.project("broken", yaml, owner: .alice)
        let identity = lab.identity("broken", folder: folder)
        #expect(try await lab.ctl(["deployment", "create", "broken", "--path", folder], as: .alice).status == 0)
        let up = try await lab.ctl(["up", "broken"], as: .alice)
        #expect(up.status == 1)
        #expect(up.stdout.contains("about to fail"))
        #expect(up.stdout.contains("a: its setup script exited with 1; removing what was created"))
        #expect(lab.namespaces(identity).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: StateFile(identity: identity).path))
        let info = try await lab.ctl(["deployment", "info", "broken", "--json"], as: .alice)
        #expect(info.stdout.contains("\"failed\""))
    }

    @Test func anInvalidProjectIsRefusedWithThePathOfEachProblemBeforeAnythingIsCreated() async throws {
        let lab = try await NetnsLab.start()
        let yaml = Self.twoSwitches
            .replacingOccurrences(of: "10.0.1.11", with: "10.0.1.10")  // an address clash on sw1
            .replacingOccurrences(of: "    netns: { command: \"exec sleep infinity\" }\n  - name: lonely", with: "    libvirt: { image: x }\n  - name: lonely")
        let folder = try lab.project("clash", yaml, owner: .alice)
        #expect(try await lab.ctl(["deployment", "create", "clash", "--path", folder], as: .alice).status == 0)
        let up = try await lab.ctl(["up", "clash"], as: .alice)
        #expect(up.status == 2, "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.contains("machines[1].libvirt: libvirt guests need kvm-compose; testbed-netns runs netns guests"))
        #expect(up.stdout.contains("machines[2].network[0].ip"))
        #expect(up.stdout.contains("nothing was changed"))
        #expect(lab.namespaces(lab.identity("clash", folder: folder)).isEmpty)
        let generate = try await lab.ctl(["generate-artefacts", "clash"], as: .alice)
        #expect(generate.status == 2)
        #expect(!FileManager.default.fileExists(atPath: folder + "/artefacts"))
    }

    @Test func aCancelledUpLeavesNothingBehindEvenIfItsSetupScriptIgnoresSIGTERM() async throws {
        let lab = try await NetnsLab.start()
        let yaml = Self.twoSwitches.replacingOccurrences(of: "echo set up > setup.done", with: "trap '' TERM INT; echo setting up; sleep 60")
        let folder = try lab.project("slow", yaml, owner: .alice)
        let identity = lab.identity("slow", folder: folder)
        #expect(try await lab.ctl(["deployment", "create", "slow", "--path", folder], as: .alice).status == 0)
        let started = try await lab.ctl(["up", "slow", "--detach"], as: .alice)
        #expect(started.status == 0, "\(started.stderr)")
        var setUp = false
        for _ in 0..<300 where !setUp {
            try await Task.sleep(for: .milliseconds(100))
            setUp = try await lab.ctl(["logs", "slow"], as: .alice).stdout.contains("setting up")
        }
        #expect(setUp)
        #expect(!lab.namespaces(identity).isEmpty)
        let cancel = try await lab.ctl(["cancel", "slow"], as: .alice)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        var finished = false
        for _ in 0..<300 where !finished {
            try await Task.sleep(for: .milliseconds(100))
            finished = try await lab.ctl(["logs", "slow"], as: .alice).stdout.contains("action cancelled by uid 64001")
        }
        #expect(finished)
        let log = try await lab.ctl(["logs", "slow"], as: .alice).stdout
        #expect(log.contains("cancelled: removing what was created"), "\(log)")
        #expect(lab.namespaces(identity).isEmpty)
        #expect(lab.processes(identity).isEmpty)
    }

    @Test func twoProjectsWithTheSameSubnetsRunSideBySide() async throws {
        let lab = try await NetnsLab.start()
        let first = try lab.project("one", Self.twoSwitches, owner: .alice)
        let second = try lab.project("two", Self.twoSwitches, owner: .bob)
        #expect(try await lab.ctl(["deployment", "create", "one", "--path", first], as: .alice).status == 0)
        #expect(try await lab.ctl(["deployment", "create", "two", "--path", second], as: .bob).status == 0)
        #expect(try await lab.ctl(["up", "one"], as: .alice).status == 0)
        #expect(try await lab.ctl(["up", "two"], as: .bob).status == 0)
        let one = lab.identity("one", folder: first)
        let two = lab.identity("two", folder: second)
        #expect(Set(lab.namespaces(one)).isDisjoint(with: lab.namespaces(two)))
        #expect(try await lab.ping(one, from: "a", "10.0.1.10"))
        #expect(try await lab.ping(two, from: "a", "10.0.1.10"))
        #expect(try await lab.ctl(["down", "one"], as: .alice).status == 0)
        #expect(lab.namespaces(one).isEmpty)
        #expect(lab.namespaces(two).count == 5)
        #expect(try await lab.ping(two, from: "a", "10.0.1.10"))
        #expect(try await lab.ctl(["down", "two"], as: .bob).status == 0)
    }

    @Test func aSnapshotRestoresAGuestsFiles() async throws {
        let lab = try await NetnsLab.start()
        let folder = try lab.project("snap", Self.twoSwitches, owner: .alice)
        #expect(try await lab.ctl(["deployment", "create", "snap", "--path", folder], as: .alice).status == 0)
        #expect(try await lab.ctl(["up", "snap"], as: .alice).status == 0)
        let file = folder + "/artefacts/a/root/setup.done"
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "set up\n")
        let create = try await lab.ctl(["snapshot", "create", "snap", "--name", "a", "--snapshot", "first"], as: .alice)
        #expect(create.status == 0, "\(create.stdout)\(create.stderr)")
        try Data("changed\n".utf8).write(to: URL(fileURLWithPath: file))
        let list = try await lab.ctl(["snapshot", "list", "snap", "--name", "a"], as: .alice)
        #expect(list.stdout.contains("  first"))
        let identity = lab.identity("snap", folder: folder)
        let before = Set(lab.processes(identity))
        let restore = try await lab.ctl(["snapshot", "restore", "snap", "--name", "a", "--snapshot", "first"], as: .alice)
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "set up\n")
        #expect(restore.stdout.contains("a: command started again"))
        // a's command was stopped and started again; b's and lonely's were left alone.
        let after = Set(lab.processes(identity))
        #expect(after.count == before.count)
        #expect(after != before)
        let unknown = try await lab.ctl(["snapshot", "restore", "snap", "--name", "a", "--snapshot", "nope"], as: .alice)
        #expect(unknown.status == 5)
        let archive = try await lab.ctl(["testbed-snapshot", "snap"], as: .alice)
        #expect(archive.status == 0, "\(archive.stdout)\(archive.stderr)")
        let archives = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tar.gz") }
        #expect(archives.count == 1)
        #expect(try await lab.ctl(["down", "snap"], as: .alice).status == 0)
    }

    @Test func symlinksAndAnEditedStateCopyNeverMakeRootActOutsideTheProject() async throws {
        let lab = try await NetnsLab.start()
        let folder = try lab.project("trap", Self.twoSwitches, owner: .alice)
        let identity = lab.identity("trap", folder: folder)
        // A root-only file the owner must not reach, and a namespace that is not the project's.
        let secret = try lab.sandbox.write("root only\n", to: "secret")
        chmod(secret, 0o600)
        let victim = "tbtest-victim-\(UInt32.random(in: 0...UInt32.max))"
        #expect(try await ProcessRun.run("/usr/sbin/ip", ["netns", "add", victim]).status == 0)
        // The owner plants symlinks where testbed-netns writes: the console log and the state copy.
        for path in ["/artefacts", "/artefacts/a"] {
            mkdir(folder + path, 0o755)
            chown(folder + path, 64001, 64001)
        }
        symlink(secret, folder + "/artefacts/a/console.log")
        symlink(secret, folder + "/trap-state.json")
        lchown(folder + "/artefacts/a/console.log", 64001, 64001)
        lchown(folder + "/trap-state.json", 64001, 64001)

        #expect(try await lab.ctl(["deployment", "create", "trap", "--path", folder], as: .alice).status == 0)
        _ = try await lab.ctl(["up", "trap"], as: .alice)
        try await Task.sleep(for: .milliseconds(500))
        var info = stat()
        #expect(stat(secret, &info) == 0 && info.st_uid == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "root only\n")

        // Nor read: a link to it in a guest's folder is archived and snapshotted as a link.
        symlink(secret, folder + "/artefacts/a/root/leak")
        lchown(folder + "/artefacts/a/root/leak", 64001, 64001)
        let archived = try await lab.ctl(["testbed-snapshot", "trap", "--snapshot-guests"], as: .alice)
        #expect(archived.status == 0, "\(archived.stdout)\(archived.stderr)")
        let archive = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".tar.gz") })
        let unpacked = try await ProcessRun.run("/usr/bin/tar", ["-xzOf", folder + "/" + archive])
        #expect(unpacked.status == 0)
        #expect(!unpacked.stdout.contains("root only"))
        let listing = try await ProcessRun.run("/usr/bin/tar", ["-tvzf", folder + "/" + archive])
        #expect(listing.stdout.contains("artefacts/a/root/leak -> \(secret)"))

        // The owner rewrites its copy of the state to name the victim: down must not touch it.
        unlink(folder + "/trap-state.json")
        let forged = #"{"namespaces":[{"name":"\#(victim)","role":"guest a"}],"guests":[]}"#
        try Data(forged.utf8).write(to: URL(fileURLWithPath: folder + "/trap-state.json"))
        chown(folder + "/trap-state.json", 64001, 64001)
        #expect(try await lab.ctl(["down", "trap"], as: .alice).status == 0)
        #expect(FileManager.default.fileExists(atPath: "/run/netns/\(victim)"))
        #expect(lab.namespaces(identity).isEmpty)
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "root only\n")
        _ = try await ProcessRun.run("/usr/sbin/ip", ["netns", "delete", victim])
    }

    @Test func aKilledDaemonDuringUpLeavesNothingThatDownCannotRemove() async throws {
        let lab = try await NetnsLab.start()
        let yaml = Self.twoSwitches.replacingOccurrences(of: "echo set up > setup.done", with: "echo setting up; sleep 60")
        let folder = try lab.project("crash", yaml, owner: .alice)
        let identity = lab.identity("crash", folder: folder)
        #expect(try await lab.ctl(["deployment", "create", "crash", "--path", folder], as: .alice).status == 0)
        #expect(try await lab.ctl(["up", "crash", "--detach"], as: .alice).status == 0)
        var setUp = false
        for _ in 0..<300 where !setUp {
            try await Task.sleep(for: .milliseconds(100))
            setUp = try await lab.ctl(["logs", "crash"], as: .alice).stdout.contains("setting up")
        }
        #expect(setUp)
        _ = try await lab.daemon.stop(signal: SIGKILL)
        #expect(!lab.namespaces(identity).isEmpty)
        // The next daemon kills the interrupted orchestrator; down then removes what it had made.
        let next = try await DaemonProcess.start(in: lab.sandbox, extra: [
            "--orchestrator", Binaries.testbedNetns,
            "--socket-group", String(TestUser.testbedGroup), "--admin-group", String(TestUser.adminGroup),
        ])
        let down = try await lab.ctl(["down", "crash"], as: .alice)
        #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
        #expect(lab.namespaces(identity).isEmpty)
        #expect(lab.processes(identity).isEmpty)
        _ = try await next.stop()
    }

    @Test func theFilesVariablesReachOnlyTheOwnersProcessesNeverRoots() async throws {
        let lab = try await NetnsLab.start()
        // glibc writes LD_DEBUG's output for every program that starts with it, root's included.
        let folder = try lab.project("env", """
            machines:
              - name: a
                network: [{ switch: sw0, ip: "10.0.0.10" }]
                netns:
                  environment: { LD_DEBUG: libs, LD_DEBUG_OUTPUT: "\(lab.sandbox.path)/env/ld", GREETING: "hello there" }
                  setup_script: "echo \\"$GREETING\\" > greeting"
                  command: "exec sleep infinity"
            network: { ovn: { switches: { sw0: { subnet: "10.0.0.0/24" } } } }

            """, owner: .alice)
        #expect(try await lab.ctl(["deployment", "create", "env", "--path", folder], as: .alice).status == 0)
        let up = try await lab.ctl(["up", "env"], as: .alice)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(try String(contentsOfFile: folder + "/artefacts/a/root/greeting", encoding: .utf8) == "hello there\n")
        let traces = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("ld.") }
        #expect(!traces.isEmpty)  // the owner's own programs did get the variables
        for trace in traces {
            var info = stat()
            #expect(stat(folder + "/" + trace, &info) == 0 && info.st_uid == 64001, "\(trace) was written by uid \(info.st_uid)")
        }
        #expect(try await lab.ctl(["down", "env"], as: .alice).status == 0)
    }

    @Test func aGuestProcessThatLeavesItsSessionAndNamespaceIsStillStoppedByDown() async throws {
        let lab = try await NetnsLab.start()
        let folder = try lab.project("escape", """
            machines:
              - name: a
                network: [{ switch: sw0, ip: "10.0.0.10" }]
                netns:
                  command: "setsid unshare -Urn sh -c 'echo $$ > escaped.pid; exec sleep 1001' </dev/null >/dev/null 2>&1 & exec sleep infinity"
            network: { ovn: { switches: { sw0: { subnet: "10.0.0.0/24" } } } }

            """, owner: .alice)
        #expect(try await lab.ctl(["deployment", "create", "escape", "--path", folder], as: .alice).status == 0)
        #expect(try await lab.ctl(["up", "escape"], as: .alice).status == 0)
        let pidFile = folder + "/artefacts/a/root/escaped.pid"
        #expect(try await waitForText("\n", in: pidFile))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let escaped = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        // It runs (not a zombie), in a network namespace that is not the project's.
        #expect(kill(escaped, 0) == 0 && NetnsLab.status(escaped, "State")?.hasPrefix("Z") == false)
        #expect(!lab.processes(lab.identity("escape", folder: folder)).contains(escaped))
        #expect(try await lab.ctl(["down", "escape"], as: .alice).status == 0)
        #expect(kill(escaped, 0) != 0 || NetnsLab.status(escaped, "State")?.hasPrefix("Z") == true)
    }

    @Test func whatASetupScriptLeavesBehindIsStoppedWhenItEnds() async throws {
        let lab = try await NetnsLab.start()
        let folder = try lab.project("leftover", """
            machines:
              - name: a
                network: [{ switch: sw0, ip: "10.0.0.10" }]
                netns:
                  setup_script: "setsid sh -c 'sleep 1; echo LATE-LINE-FROM-A-LEFTOVER' & echo set up"
            network: { ovn: { switches: { sw0: { subnet: "10.0.0.0/24" } } } }

            """, owner: .alice)
        #expect(try await lab.ctl(["deployment", "create", "leftover", "--path", folder], as: .alice).status == 0)
        let up = try await lab.ctl(["up", "leftover"], as: .alice)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.contains("set up"))
        try await Task.sleep(for: .seconds(2))
        let log = try await lab.ctl(["logs", "leftover"], as: .alice)
        #expect(log.status == 0)
        #expect(!log.stdout.contains("LATE-LINE-FROM-A-LEFTOVER"), "\(log.stdout)")
        #expect(try await lab.ctl(["down", "leftover"], as: .alice).status == 0)
    }

    @Test func rootNeverEntersTheProjectFolderOnTheOwnersBehalf() async throws {
        // The owner swaps its project folder for a link into a folder only root may
        // enter; testbed-netns, run as testbedd would, must not read through it.
        let sandbox = try Sandbox()
        chmod(sandbox.path, 0o755)
        let hidden = sandbox.path + "/root-only"
        mkdir(hidden, 0o700)
        try Data("machines: [{ name: a, netns: {} }]\n".utf8).write(to: URL(fileURLWithPath: hidden + "/kvm-compose.yaml"))
        let link = sandbox.path + "/project"
        symlink(hidden, link)
        mkdir(sandbox.state, 0o700)
        let run = try await ProcessRun.run(Binaries.testbedNetns, ["--project-name", "p", "generate-artefacts"], environment: [
            "TESTBED_PROJECT_DIR": link, "TESTBED_OWNER_UID": "64001", "TESTBED_STATE_DIR": sandbox.state,
        ])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("can't cd to \(link)"))
        #expect(!FileManager.default.fileExists(atPath: hidden + "/artefacts"))
    }

    @Test func upRefusesAStrangersNamespaceAndAChangedFileUntilProvisionRebuilds() async throws {
        let lab = try await NetnsLab.start()
        let yaml = Self.twoSwitches.replacingOccurrences(of: "echo set up > setup.done", with: "echo set up >> setup.done")
        let folder = try lab.project("change", yaml, owner: .alice)
        let identity = lab.identity("change", folder: folder)
        #expect(try await lab.ctl(["deployment", "create", "change", "--path", folder], as: .alice).status == 0)

        // A namespace with the project's names that its state does not record is not taken over.
        let stray = identity.guestNamespace("a")
        #expect(try await ProcessRun.run("/usr/sbin/ip", ["netns", "add", stray]).status == 0)
        let refused = try await lab.ctl(["up", "change"], as: .alice)
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("network namespace \(stray) carries this project's name but its state does not record it"))
        #expect(lab.namespaces(identity) == [stray])
        #expect(try await lab.ctl(["down", "change"], as: .alice).status == 0)
        #expect(lab.namespaces(identity).isEmpty)

        #expect(try await lab.ctl(["up", "change"], as: .alice).status == 0)
        let rerun = try await lab.ctl(["up", "change", "--rerun-scripts"], as: .alice)
        #expect(rerun.status == 0)
        #expect(try String(contentsOfFile: folder + "/artefacts/a/root/setup.done", encoding: .utf8) == "set up\nset up\n")
        let clear = try await lab.ctl(["clear-artefacts", "change"], as: .alice)
        #expect(clear.status == 4)
        #expect(clear.stdout.contains("change is deployed; run `testbedctl down change` before clearing its artefacts"))

        // A changed file is not applied behind the user's back; --provision rebuilds.
        let grown = yaml.replacingOccurrences(of: "network:\n  ovn:", with: """
              - name: c
                network: [{ switch: sw0, ip: "10.0.0.20", gateway: "10.0.0.1" }]
                netns: { command: "exec sleep infinity" }
            network:
              ovn:
            """)
        try Data(grown.utf8).write(to: URL(fileURLWithPath: folder + "/kvm-compose.yaml"))
        let changed = try await lab.ctl(["up", "change"], as: .alice)
        #expect(changed.status == 4)
        #expect(changed.stdout.contains("kvm-compose.yaml changed since change was deployed; run `testbedctl up change --provision` to rebuild it"))
        #expect(lab.namespaces(identity).count == 5)
        let rebuilt = try await lab.ctl(["up", "change", "--provision"], as: .alice)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        #expect(lab.namespaces(identity).count == 6)
        #expect(try await lab.ping(identity, from: "c", "10.0.1.10"))
        #expect(try await lab.ctl(["down", "change"], as: .alice).status == 0)
        #expect(try await lab.ctl(["clear-artefacts", "change"], as: .alice).status == 0)
        #expect(!FileManager.default.fileExists(atPath: folder + "/artefacts"))
    }

    private func waitForText(_ text: String, in path: String) async throws -> Bool {
        for _ in 0..<100 {
            if let content = try? String(contentsOfFile: path, encoding: .utf8), content.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
