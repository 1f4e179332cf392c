import Foundation
import TestbedProtocol

/// Encodes `value` with the wire encoder and returns the bytes as a string.
func wireString<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONCoding.shared.encode(value), as: UTF8.self)
}

/// Decodes `json` with the wire decoder.
func wireDecode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONCoding.sharedDecoder.decode(T.self, from: Data(json.utf8))
}

/// The UTF-8 bytes of `data` as a string, for readable failure messages.
func utf8(_ data: Data) -> String {
    String(decoding: data, as: UTF8.self)
}
