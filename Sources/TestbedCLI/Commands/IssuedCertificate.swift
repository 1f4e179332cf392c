import FoundationEssentials

/// What a certificate command made, for `--json`.
struct IssuedCertificate: Encodable {
    var chassis: String
    var serial: String
    var notValidAfter: Date
    var files: [String]

    enum CodingKeys: String, CodingKey {
        case chassis, serial, files
        case notValidAfter = "not_valid_after"
    }
}
