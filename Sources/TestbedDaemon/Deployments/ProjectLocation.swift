#if canImport(Glibc)
import Glibc
#endif
import TestbedProtocol

/// Checks of a deployment's project folder: an absolute path to an existing
/// folder that holds `kvm-compose.yaml`.
public enum ProjectLocation {
    /// The file every project folder holds.
    public static let composeFile = "kvm-compose.yaml"

    /// `path` lexically normalised (no `.`, `..`, repeated or trailing `/`), after
    /// checking that it names a folder holding `kvm-compose.yaml`.
    public static func validate(_ path: String, field: String = "project_location") throws(RPCError) -> String {
        guard !path.isEmpty else { throw .invalidParams(field: field, "\(field) is empty; give the absolute path of the project folder") }
        guard !path.utf8.contains(0) else { throw .invalidParams(field: field, "\(field) contains a NUL byte") }
        guard path.hasPrefix("/") else {
            throw .invalidParams(field: field, "\(field) \"\(path)\" is not an absolute path; give the full path, starting with /")
        }
        guard path.utf8.count < Int(PATH_MAX) else { throw .invalidParams(field: field, "\(field) is longer than PATH_MAX") }
        let normalized = normalize(path)
        var info = stat()
        guard stat(normalized, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .invalidParams(field: field, "project folder \(normalized) cannot be used: \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .invalidParams(field: field, "\(normalized) is not a folder; give the folder that holds \(composeFile)")
        }
        let compose = normalized == "/" ? "/" + composeFile : normalized + "/" + composeFile
        guard stat(compose, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .invalidParams(field: field, "project folder \(normalized) holds no \(composeFile); create it there or give the folder that has it")
        }
        return normalized
    }

    /// Removes `.` and empty components and applies `..` lexically.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
