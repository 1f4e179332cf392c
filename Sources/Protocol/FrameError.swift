/// Why a byte stream could not be cut into frames. Any of these ends the
/// connection: once a length is refused, nothing after it can be trusted.
public enum FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A frame declared a payload of zero bytes.
    case emptyFrame
    /// A frame declared more payload bytes than the receiver accepts.
    case frameTooLarge(declared: UInt32, limit: Int)
    /// The stream ended in the middle of a frame.
    case truncated(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .emptyFrame:
            "frame length 0 is not allowed: every frame carries a JSON payload"
        case .frameTooLarge(let declared, let limit):
            "frame length \(declared) exceeds the limit of \(limit) bytes (max_frame_bytes)"
        case .truncated(let bytes):
            "connection closed in the middle of a frame (\(bytes) bytes buffered)"
        }
    }
}
