import CTestbedShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Points this host's Open vSwitch at the main's OVN southbound database, as
/// the original did: `ovs-vsctl set open . external-ids:ovn-remote=REMOTE`.
enum OVSRemote {
    /// The ovs-vsctl on `PATH`, if any.
    static func tool(path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin") -> String? {
        for folder in path.split(separator: ":") where folder.hasPrefix("/") {
            let candidate = String(folder) + "/ovs-vsctl"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Applies `remote` with `tool`; returns nil on success, else what went wrong.
    /// Blocks until ovs-vsctl exits (it has a 10 s timeout of its own).
    static func apply(_ remote: String, tool: String) -> String? {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return "cannot make a pipe: \(String(cString: strerror(errno)))" }
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        let root = testbed_open_folder("/")
        defer { if root >= 0 { close(root) } }
        let arguments = [tool, "--timeout=10", "set", "open", ".", "external-ids:ovn-remote=\(remote)"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var error: Int32 = 0
        let pid = testbed_spawn(tool, argv, envp, root, pipeEnds[1], &error)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard pid > 0 else { return "cannot run \(tool): \(String(cString: strerror(error)))" }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while output.count < 65536 {
            let n = read(pipeEnds[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output += buffer[..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status != 0 else { return nil }
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let how = status & 0x7f == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
        return "\(arguments.joined(separator: " ")) \(how)" + (text.isEmpty ? "" : ": \(text)")
    }
}
