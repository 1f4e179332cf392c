import Yams

/// Walks the nodes `Yams.compose(yaml:)` gives, checking each node's type and
/// reading scalars into values; every node of the wrong type or with a bad value
/// becomes a problem at its path, and the caller gets nil for it.
struct YAMLReader {
    /// What was wrong so far.
    var problems = ProblemList()

    // MARK: Collections

    /// The entries of the mapping `node`, in file order; nil, with a problem, if it is not a mapping.
    mutating func entries(_ node: Node, at path: YAMLPath) -> [YAMLEntry]? {
        guard case .mapping(let mapping) = node else {
            problems.add(path, "expected a mapping, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        var entries: [YAMLEntry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                problems.add(path, "a key must be a plain name, found \(Self.describe(keyNode))", at: keyNode.mark)
                continue
            }
            entries.append(YAMLEntry(key: key.string, keyNode: keyNode, value: value, path: path[key.string]))
        }
        return entries
    }

    /// Reads the mapping `node` whose keys are fixed. A key in `refused` is reported
    /// with its sentence, any other key not in `known` as unknown; a key in `required`
    /// that is missing is reported at its would-be path.
    mutating func fields(
        _ node: Node, at path: YAMLPath, known: [String], required: [String] = [],
        refused: KeyValuePairs<String, String> = [:]
    ) -> YAMLFields? {
        guard let entries = entries(node, at: path) else { return nil }
        var fields = YAMLFields(path: path, mark: node.mark, entries: [:])
        for entry in entries {
            if let sentence = refused.first(where: { $0.key == entry.key })?.value {
                problems.add(entry.path, sentence, at: entry.keyNode.mark)
                fields.refusedKeys.insert(entry.key)
            } else if known.contains(entry.key) {
                fields.entries[entry.key] = entry
            } else {
                problems.add(
                    entry.path, "unknown key; testbed-netns supports \(known.joined(separator: ", ")) here",
                    at: entry.keyNode.mark)
            }
        }
        for key in required where fields[key] == nil {
            problems.add(path[key], "missing; it is required", at: node.mark)
        }
        return fields
    }

    /// The items of the list `node` with their paths; nil, with a problem, if it is not a list.
    mutating func items(_ node: Node, at path: YAMLPath) -> [(node: Node, path: YAMLPath)]? {
        guard case .sequence(let sequence) = node else {
            problems.add(path, "expected a list, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        return sequence.enumerated().map { ($0.element, path[$0.offset]) }
    }

    // MARK: Scalars

    /// The text of the scalar `node` as written (`8080`, `true`, `"x"` alike); nil, with a problem, for null or a collection.
    mutating func text(_ node: Node, at path: YAMLPath) -> Located<String>? {
        guard case .scalar(let scalar) = node, YAMLReader.tagName(node) != .null else {
            problems.add(path, "expected a string, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        return Located(value: scalar.string, path: path, mark: node.mark)
    }

    /// A whole number written in decimal digits.
    mutating func wholeNumber(_ node: Node, at path: YAMLPath) -> Located<Int>? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              (1...9).contains(scalar.string.count), scalar.string.allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = Int(scalar.string)
        else {
            problems.add(path, "expected a whole number, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        return Located(value: number, path: path, mark: node.mark)
    }

    /// A name following `NameRules.isValidName`.
    mutating func name(_ node: Node, at path: YAMLPath) -> Located<String>? {
        guard let text = text(node, at: path) else { return nil }
        guard NameRules.isValidName(text.value) else {
            problems.add(text, "\(Self.quoted(text.value)) is not a valid name; \(NameRules.nameRule)")
            return nil
        }
        return text
    }

    /// An IPv4 address without a prefix ("10.0.0.1").
    mutating func address(_ node: Node, at path: YAMLPath) -> Located<IPv4Address>? {
        guard let text = text(node, at: path) else { return nil }
        guard let address = IPv4Address(text.value) else {
            problems.add(text, "\(Self.quoted(text.value)) is not an IPv4 address like 10.0.0.1")
            return nil
        }
        return Located(value: address, path: path, mark: text.mark)
    }

    /// An IPv4 network whose host bits are zero ("10.0.0.0/24").
    mutating func network(_ node: Node, at path: YAMLPath) -> Located<IPv4Network>? {
        guard let text = text(node, at: path) else { return nil }
        guard let network = IPv4Network(text.value) else {
            let parts = text.value.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, let address = IPv4Address(String(parts[0])), let length = Int(parts[1]),
               (0...32).contains(length), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) {
                let network = IPv4Network(containing: address, prefixLength: length)
                problems.add(text, "\(Self.quoted(text.value)) has host bits set; the network is \(network)")
            } else {
                problems.add(text, "\(Self.quoted(text.value)) is not an IPv4 network like 10.0.0.0/24")
            }
            return nil
        }
        return Located(value: network, path: path, mark: text.mark)
    }

    /// An address with a prefix, host bits allowed ("10.0.0.1/24").
    mutating func addressWithPrefix(_ node: Node, at path: YAMLPath) -> Located<(address: IPv4Address, prefixLength: Int)>? {
        guard let text = text(node, at: path) else { return nil }
        let parts = text.value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(parts[1]), (0...32).contains(length)
        else {
            problems.add(text, "\(Self.quoted(text.value)) is not an IPv4 address with a prefix like 10.0.0.1/24")
            return nil
        }
        return Located(value: (address, length), path: path, mark: text.mark)
    }

    /// A unicast MAC address ("00:00:00:00:00:01").
    mutating func mac(_ node: Node, at path: YAMLPath) -> Located<MACAddress>? {
        guard let text = text(node, at: path) else { return nil }
        guard Self.isMACText(text.value), let mac = MACAddress(text.value) else {
            problems.add(text, "\(Self.quoted(text.value)) is not a MAC address like 00:00:00:00:00:01")
            return nil
        }
        guard !mac.isMulticast else {
            problems.add(text, "\(mac) is a multicast MAC address; an interface needs a unicast one (even first byte)")
            return nil
        }
        return Located(value: mac, path: path, mark: text.mark)
    }

    // MARK: Text

    /// `node`'s resolved tag (`Tag.name` is not public): quoted scalars are strings,
    /// plain ones are resolved by YAML 1.1's rules (`~` null, `8080` int, `yes` bool…).
    static func tagName(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.description)
    }

    /// `node`'s kind, for "expected …, found …".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch YAMLReader.tagName(node) {
            case .null: return "nothing (null)"
            case .bool: return "a boolean"
            case .int, .float: return "a number"
            default: return "a string"
            }
        }
    }

    /// `text` in double quotes, for problems.
    static func quoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            switch character {
            case "\"", "\\": quoted += "\\" + String(character)
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }

    /// Six pairs of hex digits (MACAddress's parser alone would also take "+f").
    private static func isMACText(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }
}
