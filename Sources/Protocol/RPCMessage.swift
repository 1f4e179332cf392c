import FoundationEssentials
import NIOCore

/// Builds the JSON payloads of the protocol's four message kinds. Keys are
/// written in sorted order, the same order `JSONCoding` uses, so every payload
/// the daemon or the client writes has one canonical form.
public enum RPCMessage {
    /// The protocol version `rpc.hello` reports; clients refuse any other.
    public static let protocolVersion = 1

    private struct Request<P: Encodable>: Encodable {
        let jsonrpc = "2.0"
        let id: RequestID?
        let method: String
        let params: P?
    }

    private struct ErrorResponse: Encodable {
        let jsonrpc = "2.0"
        let id: RequestID?
        let error: RPCError

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(error, forKey: .error)
            try container.encode(id, forKey: .id)  // explicit null when unknown, as JSON-RPC requires
            try container.encode(jsonrpc, forKey: .jsonrpc)
        }

        enum CodingKeys: String, CodingKey { case jsonrpc, id, error }
    }

    /// A request (`id` set) or a notification (`id` nil).
    public static func request<P: Encodable>(id: RequestID?, method: String, params: P?) throws -> Data {
        try JSONCoding.shared.encode(Request(id: id, method: method, params: params))
    }

    /// A successful response around an already-encoded result.
    public static func response(id: RequestID, encodedResult: Data) -> Data {
        Data(response(id: id, encodedResult: encodedResult, allocator: ByteBufferAllocator()).readableBytesView)
    }

    /// A successful response around an already-encoded result, written into a
    /// buffer with room for the frame header (`framePayloadBuffer`).
    public static func response(id: RequestID, encodedResult: Data, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.framePayloadBuffer(capacity: encodedResult.count + 64)
        out.writeStaticString(#"{"id":"#)
        switch id {
        case .int(let i): out.writeString(String(i))  // the common case, without a Data per answer
        case .string: out.writeBytes(encodedID(id))
        }
        out.writeStaticString(#","jsonrpc":"2.0","result":"#)
        out.writeBytes(encodedResult)
        out.writeStaticString("}")
        return out
    }

    /// An `rpc.stream` notification carrying one already-encoded event
    /// (`DaemonEvent`), written into a buffer with room for the frame header.
    public static func streamEvent(id: RequestID, seq: Int, event: Data, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.framePayloadBuffer(capacity: event.count + 96)
        out.writeStaticString(#"{"jsonrpc":"2.0","method":"rpc.stream","params":{"event":"#)
        out.writeBytes(event)
        out.writeStaticString(#","id":"#)
        out.writeBytes(encodedID(id))
        out.writeStaticString(#","seq":"#)
        out.writeString(String(seq))
        out.writeStaticString("}}")
        return out
    }

    /// A successful response with `result` encoded here.
    public static func response<R: Encodable>(id: RequestID, result: R) throws -> Data {
        response(id: id, encodedResult: try JSONCoding.shared.encode(result))
    }

    /// An error response; `id` is nil when the request's id could not be read.
    public static func errorResponse(id: RequestID?, error: RPCError) -> Data {
        // Encoding an RPCError cannot fail: it holds only strings, numbers and JSON values.
        (try? JSONCoding.shared.encode(ErrorResponse(id: id, error: error)))
            ?? Data(#"{"error":{"code":-32603,"message":"internal error"},"id":null,"jsonrpc":"2.0"}"#.utf8)
    }

    /// `id` as JSON.
    public static func encodedID(_ id: RequestID) -> Data {
        switch id {
        case .int(let i): Data(String(i).utf8)
        case .string: (try? JSONCoding.shared.encode(id)) ?? Data("null".utf8)
        }
    }
}
