#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestbedProtocol

/// The log files of action records that are going away. They are removed,
/// durably, before the records that name them: a crash in between leaves a
/// record whose log is gone, which the next removal finishes, never a log file
/// that no record names and nothing would ever remove.
enum ActionLogFiles {
    /// Removes the log file of each of `records`, except the paths in `sparing`
    /// (files a kept record still names); a file already gone is not an error.
    /// Returns the paths it removed.
    static func remove(_ records: some Sequence<ActionRecord>, sparing: Set<String> = []) throws -> [String] {
        var removed: [String] = []
        var folders: Set<String> = []
        for path in Set(records.map(\.logPath)).subtracting(sparing).sorted() where !path.isEmpty {
            // The times first: a crash in between leaves a log that the next removal finishes, never times alone.
            unlink(LogTimes.path(for: path))
            if unlink(path) != 0 {
                if errno == ENOENT { continue }
                throw StoreError.posix("remove the action log", path, errno: errno)
            }
            removed.append(path)
            folders.insert((path as NSString).deletingLastPathComponent)
        }
        for folder in folders.sorted() { try AtomicFile.syncFolder(folder) }
        return removed
    }
}
