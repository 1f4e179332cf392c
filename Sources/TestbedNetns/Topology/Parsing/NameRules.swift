/// The rules for names the file gives: machines, switches, routers and router ports
/// become namespace, interface and systemd unit names; environment names become variables.
enum NameRules {
    /// The most guests (clones included) one project may have: each is a namespace,
    /// links and processes that root creates.
    static let maximumGuests = 2000
    /// The most YAML nodes one file may hold once its aliases are followed: an
    /// alias can make a small file stand for an enormous one.
    static let maximumNodes = 250_000

    /// The longest name allowed, a clone's `-<i>` included.
    static let maximumNameLength = 48

    /// What a valid name looks like, for problems.
    static let nameRule = "a name is 1 to 48 characters of A-Z a-z 0-9 _ -, starting with a letter or digit"

    /// Whether `name` is 1 to 48 characters of `[A-Za-z0-9_-]` starting with a letter or digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= maximumNameLength,
              isLetterOrDigit(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { isLetterOrDigit($0) || $0 == "_" || $0 == "-" }
    }

    /// Whether `name` matches `[A-Za-z_][A-Za-z0-9_]*`.
    static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLetter(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { isLetterOrDigit($0) || $0 == "_" }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        isLetter(scalar) || ("0"..."9").contains(scalar)
    }
}
