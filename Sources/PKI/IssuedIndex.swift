import FoundationEssentials

/// The chassis names the CA has issued certificates for (`issued.json` in the
/// CA folder), so that a request naming a chassis that already has a
/// certificate (the main's, say) is not signed by mistake.
struct IssuedIndex {
    let path: String

    init(caFolder: String) { path = caFolder + "/issued.json" }

    /// chassis → serial numbers, oldest first.
    func load() throws(PKIError) -> [String: [String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path),
            let entries = try? JSONDecoder().decode([String: [String]].self, from: data)
        else {
            throw PKIError("\(path) cannot be read or is corrupt; fix or remove it (it lists the chassis names issued)")
        }
        return entries
    }

    /// Throws when `chassis` already has a certificate, unless `reissue`.
    func checkNotIssued(_ chassis: ChassisName, reissue: Bool) throws(PKIError) {
        guard !reissue, let serials = try load()[chassis.value], let last = serials.last else { return }
        throw PKIError("a certificate for chassis \(chassis) was already issued (serial \(last)); pass --reissue to issue another one for the same chassis, for example for a host that replaces it")
    }

    /// Empties the index (a new CA).
    func reset() throws(PKIError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try PKIFiles.write("{}\n", to: path, mode: 0o644, force: true)
    }

    func record(_ chassis: ChassisName, serial: String) throws(PKIError) {
        var entries = try load()
        entries[chassis.value, default: []].append(serial)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(entries) else { throw PKIError("cannot encode \(path)") }
        try PKIFiles.write(String(decoding: data, as: UTF8.self) + "\n", to: path, mode: 0o644, force: true)
    }
}
