import Foundation
import Testing
@testable import TestbedDaemon
import TestbedProtocol

/// testbedd.toml(5) (docs/man/testbedd.toml.5) stays true to the parser: it
/// documents every setting the configuration file may hold and no other, its
/// defaults are what `testbedd --print-config` prints, and its examples are
/// accepted.
@Suite struct ConfigurationManualTests {
    static let page: String = {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: repository.appendingPathComponent("docs/man/testbedd.toml.5"), encoding: .utf8)) ?? ""
    }()

    /// The settings the parser accepts, as it asks for them: `FileSettings`
    /// decoded from a decoder that has none and notes each key asked.
    static func acceptedSettings() throws -> Set<String> {
        let recorder = KeyRecorder()
        _ = try DaemonConfiguration.FileSettings(from: recorder)
        return recorder.keys.withLock { $0 }
    }

    /// The settings the page documents: its `.It Ic NAME` items.
    static func documentedSettings() -> [String] {
        page.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count >= 3, words[0] == ".It", words[1] == "Ic" else { return nil }
            return String(words[2])
        }
    }

    /// The lines between `.\" NAME: begin` and `.\" NAME: end`, each block once.
    static func blocks(_ name: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == ".\\\" \(name): begin" {
                current = []
            } else if line == ".\\\" \(name): end" {
                blocks.append(current!.map { $0 + "\n" }.joined())
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func everySettingTheParserAcceptsIsDocumentedOnceAndNoOther() throws {
        let accepted = try Self.acceptedSettings()
        #expect(accepted.count > 30 && accepted.contains("socket_mode") && accepted.contains("shutdown_timeout"))
        let documented = Self.documentedSettings()
        #expect(!documented.isEmpty, "docs/man/testbedd.toml.5 is missing or has no settings")
        #expect(accepted.subtracting(documented).sorted() == [], "accepted but not documented in testbedd.toml.5")
        #expect(Set(documented).subtracting(accepted).sorted() == [], "documented in testbedd.toml.5 but not accepted")
        #expect(documented.count == Set(documented).count, "a setting is documented twice")
    }

    @Test func theDefaultsShownAreWhatPrintConfigPrints() {
        #expect(Self.blocks("defaults") == [DaemonConfiguration().toml])
    }

    @Test func theExamplesAreAccepted() throws {
        let examples = Self.blocks("example")
        #expect(examples.count == 2)
        let folder = try TemporaryFolder()
        for example in examples {
            let path = folder.path + "/testbedd.toml"
            try Data(example.utf8).write(to: URL(fileURLWithPath: path))
            var configuration = DaemonConfiguration()
            try configuration.apply(file: path, required: true)
            try configuration.validate()
            #expect(configuration != DaemonConfiguration(), "\(example)")
        }
    }
}

/// A decoder holding no values that notes every key a keyed container is
/// asked about; decoding a type whose properties are all optional through it
/// lists the keys that type reads.
private final class KeyRecorder: Decoder, @unchecked Sendable {
    let keys = Locked<Set<String>>([])
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Container<Key>(recorder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "only keyed containers"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "only keyed containers"))
    }

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: KeyRecorder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool {
            recorder.keys.withLock { _ = $0.insert(key.stringValue) }
            return false
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            _ = contains(key)
            return true
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            _ = contains(key)
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no values here"))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            _ = contains(key)
            return KeyedDecodingContainer(Container<NestedKey>(recorder: recorder))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            _ = contains(key)
            return try recorder.unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { recorder }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            _ = contains(key)
            return recorder
        }
    }
}
