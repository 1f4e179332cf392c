/// The params of an `rpc.stream` notification: the next part of the stream
/// attached to request `id`, numbered by `seq` from 0 without gaps. It holds
/// lines (the `lines` format) or text with its newlines (the `data` format),
/// whichever the connection agreed in `rpc.hello` (`StreamFormat`).
public struct StreamChunk: Codable, Sendable, Hashable {
    /// What a chunk carries.
    public enum Content: Sendable, Hashable {
        /// Lines without their `\n`.
        case lines([String])
        /// UTF-8 text: whole lines each with its `\n`, except a piece of a long
        /// line, or a log's last line that has none.
        case data([UInt8])
        /// One of the daemon's changes (`events.watch`).
        case event(DaemonEvent)
    }

    public var id: RequestID
    public var seq: Int
    public var content: Content

    public init(id: RequestID, seq: Int, lines: [String]) {
        self.id = id
        self.seq = seq
        self.content = .lines(lines)
    }

    public init(id: RequestID, seq: Int, data: [UInt8]) {
        self.id = id
        self.seq = seq
        self.content = .data(data)
    }

    public init(id: RequestID, seq: Int, event: DaemonEvent) {
        self.id = id
        self.seq = seq
        self.content = .event(event)
    }

    /// The chunk as lines, whichever its format: `data` is cut at each `\n`,
    /// and a last piece without one is a line too, as the `lines` format sends it.
    public var lines: [String] {
        switch content {
        case .lines(let lines):
            return lines
        case .data(let bytes):
            var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if bytes.last == UInt8(ascii: "\n") { pieces.removeLast() }
            return pieces.map { String(decoding: $0, as: UTF8.self) }
        case .event:
            return []
        }
    }

    /// The chunk as the bytes to print: each line followed by `\n` for
    /// `lines`; the text as it came for `data`.
    public var text: [UInt8] {
        switch content {
        case .lines(let lines):
            var out: [UInt8] = []
            for line in lines {
                out.append(contentsOf: line.utf8)
                out.append(UInt8(ascii: "\n"))
            }
            return out
        case .data(let bytes):
            return bytes
        case .event:
            return []
        }
    }

    enum CodingKeys: String, CodingKey { case id, seq, lines, data, event }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(RequestID.self, forKey: .id)
        seq = try container.decode(Int.self, forKey: .seq)
        if let text = try container.decodeIfPresent(String.self, forKey: .data) {
            content = .data(Array(text.utf8))
        } else if let event = try container.decodeIfPresent(DaemonEvent.self, forKey: .event) {
            content = .event(event)
        } else {
            content = .lines(try container.decode([String].self, forKey: .lines))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(seq, forKey: .seq)
        switch content {
        case .lines(let lines): try container.encode(lines, forKey: .lines)
        case .data(let bytes): try container.encode(String(decoding: bytes, as: UTF8.self), forKey: .data)
        case .event(let event): try container.encode(event, forKey: .event)
        }
    }
}
