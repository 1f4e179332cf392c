import Foundation
import TestbedProtocol

/// What the fuzzers require of everything the daemon writes back: whole
/// frames, each holding strict JSON that is a JSON-RPC 2.0 answer (one of
/// `result` or `error`, under an id or null) or an `rpc.stream` notification,
/// with error messages in words. A broken rule stops the process, which is
/// how a fuzzer reports it.
enum AnswerCheck {
    /// Text that only Swift or Foundation write. A message may hold it only
    /// when the client sent it (a method name is echoed, say).
    static let internals = ["DecodingError", "Context(", "codingPath", "debugDescription", "Swift.", "Optional(", "not valid JSON."]

    /// Checks the bytes written in answer to the bytes `sent`.
    static func check(written: [UInt8], sent: [UInt8], _ what: String) {
        var offset = 0
        while offset < written.count {
            precondition(written.count - offset >= 4, "\(what): the daemon wrote a frame header cut short")
            let length = Int(written[offset]) << 24 | Int(written[offset + 1]) << 16 | Int(written[offset + 2]) << 8 | Int(written[offset + 3])
            precondition(length > 0 && offset + 4 + length <= written.count, "\(what): the daemon wrote a frame of \(length) bytes with \(written.count - offset - 4) after its header")
            check(answer: Array(written[offset + 4..<offset + 4 + length]), sent: sent, what)
            offset += 4 + length
        }
    }

    private static func check(answer payload: [UInt8], sent: [UInt8], _ what: String) {
        let text = String(decoding: payload, as: UTF8.self)
        do {
            try JSONValidator.validate(payload)
        } catch {
            preconditionFailure("\(what): the daemon wrote invalid JSON (\(error)): \(text)")
        }
        guard case .object(let members)? = try? JSONCoding.sharedDecoder.decode(JSONValue.self, from: Data(payload)) else {
            preconditionFailure("\(what): the daemon wrote something other than an object: \(text)")
        }
        precondition(members["jsonrpc"] == .string("2.0"), "\(what): an answer without \"jsonrpc\":\"2.0\": \(text)")
        if members["method"] != nil {
            precondition(
                members["method"] == .string(RPCNotification.stream) && members["id"] == nil && members["params"] != nil,
                "\(what): the daemon sent a notification other than rpc.stream: \(text)")
            return
        }
        precondition(members["id"] != nil, "\(what): an answer without an id: \(text)")
        precondition((members["result"] == nil) != (members["error"] == nil), "\(what): an answer needs one of result and error: \(text)")
        guard let error = members["error"] else { return }
        guard case .int? = error["code"], case .string(let message)? = error["message"], !message.isEmpty else {
            preconditionFailure("\(what): an error without a code and a message: \(text)")
        }
        for word in internals where message.contains(word) && !String(decoding: sent, as: UTF8.self).contains(word) {
            preconditionFailure("\(what): an error message shows \"\(word)\", which is Swift's own text: \(message)")
        }
    }
}
