import Yams

/// Addresses and MACs claimed across the file, to find the ones claimed twice: the
/// first claim in file order keeps the value, each later one is a problem.
struct ResourceClaims<Value: Hashable> {
    /// One claim: the value, where it was read, and who claims it (for the problem's text).
    struct Claim {
        var value: Value
        var location: Located<Void>
        /// How another claim's problem names this one: its path, or a clone and its range.
        var owner: String
        /// The claimant, when the path alone does not say (a clone's name).
        var subject: String?
    }

    private var claims: [Claim] = []

    /// Records a claim on `value` at `location`.
    mutating func add<Location>(_ value: Value, at location: Located<Location>, subject: String? = nil) {
        let owner = subject.map { "\($0) (\(location.path))" } ?? location.path.description
        claims.append(Claim(value: value, location: Located(value: (), path: location.path, mark: location.mark),
                            owner: owner, subject: subject))
    }

    /// Every claim on a value an earlier claim (in file order) already has, with that earlier claim.
    var duplicates: [(claim: Claim, earlier: Claim)] {
        let ordered = claims.enumerated().sorted { lhs, rhs in
            (lhs.element.location.mark?.line ?? 0, lhs.element.location.mark?.column ?? 0, lhs.offset)
                < (rhs.element.location.mark?.line ?? 0, rhs.element.location.mark?.column ?? 0, rhs.offset)
        }.map(\.element)
        var first: [Value: Claim] = [:]
        var result: [(Claim, Claim)] = []
        for claim in ordered {
            if let earlier = first[claim.value] {
                result.append((claim, earlier))
            } else {
                first[claim.value] = claim
            }
        }
        return result
    }

    /// All claimed values.
    var values: Set<Value> { Set(claims.map(\.value)) }
}
