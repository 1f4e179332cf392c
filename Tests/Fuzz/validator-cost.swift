// What JSONValidator adds to a request: its cost against the envelope decode
// that ParsedRequest.parse does anyway (copied below as it stands), on typical
// requests, in release mode. Not part of any target; run it with
//
//   swiftc -O -wmo Tests/Fuzz/validator-cost.swift Sources/Protocol/JSONValidator.swift \
//       Sources/Protocol/JSONMemberName.swift Sources/Protocol/JSONSyntaxError.swift -o /tmp/validator-cost
//   /tmp/validator-cost
//
// Each figure is the best of five rounds of 200,000 calls.
import Foundation

// The envelope decode of ParsedRequest.parse (its fast path), copied as it stands.
enum RID: Decodable, Hashable {
    case int(Int64), string(String)
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int64.self) { self = .int(i) } else { self = .string(try c.decode(String.self)) }
    }
}
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
struct Envelope: Decodable {
    var jsonrpc: String?
    var id: RID?
    var idIsValid = true
    var method: String?
    var paramKeys: [String]?
    var paramsAreAnObject = true
    enum Key: String, CodingKey { case jsonrpc, id, method, params }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        jsonrpc = try? container.decode(String.self, forKey: .jsonrpc)
        if container.contains(.id) {
            if (try? container.decodeNil(forKey: .id)) == true { idIsValid = false } else {
                id = try? container.decode(RID.self, forKey: .id); idIsValid = id != nil
            }
        }
        method = try? container.decode(String.self, forKey: .method)
        if container.contains(.params) {
            if let params = try? container.nestedContainer(keyedBy: AnyKey.self, forKey: .params) {
                paramKeys = params.allKeys.map(\.stringValue)
            } else { paramsAreAnObject = false }
        }
    }
}

@main
enum ValidatorCost {
    static func main() {
        let decoder = JSONDecoder()
        let payloads = [
            ("rpc.ping", #"{"id":1,"jsonrpc":"2.0","method":"rpc.ping"}"#),
            ("deployment.get", #"{"id":7,"jsonrpc":"2.0","method":"deployment.get","params":{"name":"lab1"}}"#),
            ("deployment.up", #"{"id":9,"jsonrpc":"2.0","method":"deployment.up","params":{"follow":true,"name":"lab1","provision":true,"reapply_acl":false,"rerun_scripts":false}}"#),
        ]
        func measure(_ n: Int, _ body: () -> Void) -> Double {
            for _ in 0..<n / 10 { body() }
            var best = Double.infinity
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<n { body() }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n))
            }
            return best
        }
        var sink = 0
        for (name, json) in payloads {
            let data = Data(json.utf8)
            let n = 200_000
            let v = measure(n) { do { try JSONValidator.validate(data); sink &+= 1 } catch { sink &+= 2 } }
            let d = measure(n) { if let e = try? decoder.decode(Envelope.self, from: data) { sink &+= e.method?.count ?? 0 } }
            let label = name.padding(toLength: 15, withPad: " ", startingAt: 0)
            print(label + String(format: "%4d bytes  validate %7.1f ns  envelope decode %7.1f ns  validate/decode %5.1f%%", data.count, v, d, 100 * v / d))
        }
        if sink == 0 { print("(nothing measured)") }
    }
}
