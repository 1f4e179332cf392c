/// A bridge peer's address, `HOST[:PORT]` (an IPv6 host in brackets), port 3355 by default.
public struct BridgeAddress: Sendable, Hashable, CustomStringConvertible {
    /// The bridge's well-known port, the original server's.
    public static let defaultPort = 3355

    public var host: String
    public var port: Int

    public init(host: String, port: Int = BridgeAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST[:PORT]`, `[V6]:PORT` or a bare IPv6 address.
    public init(parsing text: String, setting: String) throws(ConfigurationError) {
        var host = text
        var port = Self.defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ConfigurationError("\(setting) \"\(text)\" opens a '[' it does not close; write [IPV6]:PORT")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()) else {
                    throw ConfigurationError("\(setting) \"\(text)\" must be [IPV6]:PORT")
                }
                port = parsed
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let parsed = Int(text[text.index(after: colon)...]) else {
                throw ConfigurationError("\(setting) \"\(text)\": the port after ':' must be a number")
            }
            port = parsed
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw ConfigurationError("\(setting) \"\(text)\" must be HOST[:PORT], for example 10.0.0.1:\(Self.defaultPort)")
        }
        guard (1...65535).contains(port) else {
            throw ConfigurationError("\(setting) \"\(text)\": port \(port) is not between 1 and 65535")
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
