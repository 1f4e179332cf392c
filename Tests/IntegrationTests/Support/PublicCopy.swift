import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A copy of the program at `source` that any user can run, in /tmp/tbi-bin:
/// the checkout and the build folder may sit under a home folder other users
/// cannot enter. Written through a close-on-exec descriptor (a process another
/// test spawns meanwhile must not inherit it, or executing the copy fails with
/// ETXTBSY) and renamed into place whole, once per test run.
func publicCopy(of source: String, as name: String) -> String {
    let folder = "/tmp/tbi-bin"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    chmod(folder, 0o755)
    let copy = folder + "/" + name
    let temporary = copy + ".\(getpid())"
    if let bytes = FileManager.default.contents(atPath: source) {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, 0o755)
        close(fd)
        rename(temporary, copy)
    }
    return copy
}
