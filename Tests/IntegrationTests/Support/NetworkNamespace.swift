import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Two network namespaces joined by a veth pair, each end with its own
/// address: two hosts on one link, as far as the daemons in them can tell.
/// Removed (with the link) by `remove`.
struct NetworkNamespacePair: Sendable {
    let names: (String, String)
    let addresses: (String, String)
    let links: (String, String)

    /// Creates the pair on 10.201.N.0/24, N random, named after this test
    /// process; first removes pairs left by test processes that died before
    /// their cleanup ran (a crash skips every `remove`).
    static func make() async throws -> NetworkNamespacePair {
        await removeOrphans()
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let subnet = Int.random(in: 1...254)
        let pair = NetworkNamespacePair(
            names: ("tbm-\(getpid())-\(tag)", "tbc-\(getpid())-\(tag)"), addresses: ("10.201.\(subnet).1", "10.201.\(subnet).2"),
            links: ("vm-\(tag)", "vc-\(tag)"))
        let steps: [[String]] = [
            ["netns", "add", pair.names.0], ["netns", "add", pair.names.1],
            ["link", "add", pair.links.0, "netns", pair.names.0, "type", "veth", "peer", "name", pair.links.1, "netns", pair.names.1],
            ["-n", pair.names.0, "addr", "add", pair.addresses.0 + "/24", "dev", pair.links.0],
            ["-n", pair.names.1, "addr", "add", pair.addresses.1 + "/24", "dev", pair.links.1],
            ["-n", pair.names.0, "link", "set", pair.links.0, "up"], ["-n", pair.names.1, "link", "set", pair.links.1, "up"],
            ["-n", pair.names.0, "link", "set", "lo", "up"], ["-n", pair.names.1, "link", "set", "lo", "up"],
        ]
        for step in steps {
            let run = try await ProcessRun.run(NetworkNamespace.ip, step)
            guard run.status == 0 else {
                await pair.remove()
                throw ProcessRunError("ip \(step.joined(separator: " ")) failed: \(run.stderr)")
            }
        }
        return pair
    }

    /// Takes the link down (a partition) or up again, from the first namespace's side.
    func setLink(up: Bool) async throws {
        let run = try await ProcessRun.run(NetworkNamespace.ip, ["-n", names.0, "link", "set", links.0, up ? "up" : "down"])
        guard run.status == 0 else { throw ProcessRunError("cannot set \(links.0) \(up ? "up" : "down"): \(run.stderr)") }
    }

    /// Deletes the namespaces named `tbm-PID-…` or `tbc-PID-…` whose PID no longer runs.
    static func removeOrphans() async {
        guard let list = try? await ProcessRun.run(NetworkNamespace.ip, ["netns", "list"]) else { return }
        for line in list.stdout.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            let parts = name.split(separator: "-")
            guard parts.count == 3, ["tbm", "tbc"].contains(parts[0]), let pid = Int32(parts[1]),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            _ = try? await ProcessRun.run(NetworkNamespace.ip, ["netns", "del", name])
        }
    }

    func remove() async {
        _ = try? await ProcessRun.run(NetworkNamespace.ip, ["netns", "del", names.0])
        _ = try? await ProcessRun.run(NetworkNamespace.ip, ["netns", "del", names.1])
    }
}

enum NetworkNamespace {
    /// iproute2's ip.
    static let ip = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
}
