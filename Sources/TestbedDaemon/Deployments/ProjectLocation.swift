#if canImport(Glibc)
import Glibc
#endif
import CTestbedShims
import TestbedProtocol

/// Checks of a deployment's project folder: an absolute path to an existing
/// folder that holds `kvm-compose.yaml`.
public enum ProjectLocation {
    /// The file every project folder holds.
    public static let composeFile = "kvm-compose.yaml"

    /// Why a folder cannot be a deployment's project folder.
    public struct Problem: Error, Sendable, Equatable {
        /// The parameter that named the folder.
        public let field: String
        /// What is wrong, in a sentence.
        public let message: String
        /// True when the folder exists but the deployment's owner does not
        /// control it alone (a refusal, not a mistake in the params).
        public let isRefusal: Bool

        static func invalid(_ field: String, _ message: String) -> Problem {
            Problem(field: field, message: message, isRefusal: false)
        }

        static func refused(_ field: String, _ message: String) -> Problem {
            Problem(field: field, message: message, isRefusal: true)
        }
    }

    /// `path` resolved to its canonical form (symlinks followed, no `.` or `..`),
    /// after checking that it names a folder holding `kvm-compose.yaml`.
    /// With `owner`, the folder must also belong to that uid and not be writable
    /// by everyone: root runs the orchestrator in it, so nobody may point root
    /// at a folder someone else controls.
    public static func validate(_ path: String, owner: UInt32? = nil, field: String = "project_location") throws(Problem) -> String {
        let folder = try open(path, owner: owner, field: field)
        close(folder.fd)
        return folder.path
    }

    /// Like `validate`, and returns the checked folder open (O_PATH): run in
    /// that descriptor, never in the path again, and a folder swapped after the
    /// check cannot be the one root runs in.
    public static func open(_ path: String, owner: UInt32?, field: String = "project_location") throws(Problem) -> (fd: Int32, path: String) {
        guard !path.isEmpty else { throw .invalid(field, "\(field) is empty; give the absolute path of the project folder") }
        guard !path.utf8.contains(0) else { throw .invalid(field, "\(field) contains a NUL byte") }
        guard path.hasPrefix("/") else {
            throw .invalid(field, "\(field) \"\(path)\" is not an absolute path; give the full path, starting with /")
        }
        guard path.utf8.count < Int(PATH_MAX) else { throw .invalid(field, "\(field) is longer than PATH_MAX") }
        guard let resolvedPointer = realpath(path, nil) else {
            let reason = String(cString: strerror(errno))
            throw .invalid(field, "project folder \(path) cannot be used: \(reason)")
        }
        let resolved = String(cString: resolvedPointer)
        free(resolvedPointer)
        let fd = testbed_open_folder(resolved)
        guard fd >= 0 else {
            throw .invalid(field, "\(path) is not a folder; give the folder that holds \(composeFile)")
        }
        do throws(Problem) {
            // Every check from here on is of the open folder itself.
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .invalid(field, "project folder \(path) cannot be read") }
            if let owner {
                guard info.st_uid == owner else {
                    throw .refused(
                        field,
                        "project folder \(resolved) belongs to uid \(info.st_uid), not to uid \(owner); "
                            + "a deployment's folder must belong to its owner, since root runs the orchestrator there")
                }
                guard info.st_mode & S_IWOTH == 0 else {
                    throw .refused(
                        field,
                        "project folder \(resolved) is writable by everyone; remove that permission (chmod o-w) first")
                }
            }
            var compose = stat()
            guard fstatat(fd, composeFile, &compose, AT_SYMLINK_NOFOLLOW) == 0, compose.st_mode & S_IFMT == S_IFREG else {
                throw .invalid(
                    field,
                    "project folder \(path) holds no \(composeFile) (a regular file, not a link); create it there or give the folder that has it")
            }
            if owner != nil, compose.st_mode & S_IWOTH != 0 {
                throw .refused(
                    field,
                    "\(resolved)/\(composeFile) is writable by everyone; remove that permission (chmod o-w) first")
            }
            if let owner, compose.st_uid != owner {
                throw .refused(
                    field,
                    "\(resolved)/\(composeFile) belongs to uid \(compose.st_uid), not to the deployment's owner (uid \(owner))")
            }
        } catch {
            close(fd)
            throw error
        }
        return (fd, resolved)
    }
}
