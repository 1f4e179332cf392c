#if canImport(Glibc)
import Glibc
#endif

/// A failure of the storage layer, with the file it concerns.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// An error for a failed system call on `path`, with errno's text.
    static func posix(_ operation: String, _ path: String, errno code: Int32) -> StoreError {
        StoreError("cannot \(operation) \(path): \(String(cString: strerror(code)))")
    }
}
