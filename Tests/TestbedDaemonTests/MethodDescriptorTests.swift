import Foundation
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The descriptors are the one list of methods: docs/protocol.md gives each
/// its role, ownership and params (MethodTableTests: the daemon serves them).
@Suite struct MethodDescriptorTests {
    static let protocolDoc = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/protocol.md").path

    @Test func eachMethodIsDescribedOnce() {
        #expect(Set(RPCMethod.all.map(\.name)).count == RPCMethod.all.count)
    }

    /// The row of `name` in a Markdown table whose first column is `name` in backticks.
    static func row(_ name: String, in text: String) -> [String]? {
        for line in text.split(separator: "\n") where line.hasPrefix("| `\(name)`") {
            return line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    @Test(arguments: RPCMethod.all)
    func theProtocolDocumentDescribesEachMethodAsItsDescriptorDoes(method: AnyMethodDescriptor) throws {
        let text = try String(contentsOfFile: Self.protocolDoc, encoding: .utf8)
        if method.access.listeners == [.bridge] {
            // §9's table of peer methods.
            #expect(text.contains("| `\(method.name)` | the main |") || text.contains("| `\(method.name)` | every node |"))
            return
        }
        let columns = try #require(Self.row(method.name, in: text), "docs/protocol.md §7 has no row for \(method.name)")
        let role = switch method.access.ownership {
        case .none: method.access.role.rawValue
        case .acts: method.access.role.rawValue + ", owner"
        case .reads: method.access.role.rawValue + "; owner"
        }
        #expect(columns[1] == role, "\(method.name)")
        let documented = Set(columns[2].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
        if method.fieldNames.isEmpty {
            #expect(columns[2] == "none", "\(method.name)")
        } else {
            #expect(method.fieldNames.isSubset(of: documented), "\(method.name): \(columns[2])")
        }
    }
}
