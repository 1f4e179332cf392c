/// The params of an `rpc.stream` notification: the next lines of the stream
/// attached to request `id`, numbered by `seq` from 0 without gaps.
public struct StreamChunk: Codable, Sendable, Hashable {
    public var id: RequestID
    public var seq: Int
    public var lines: [String]

    public init(id: RequestID, seq: Int, lines: [String]) {
        self.id = id
        self.seq = seq
        self.lines = lines
    }
}
