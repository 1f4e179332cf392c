/// The store implementations the configuration can choose.
public enum StoreKind: String, Sendable, CaseIterable, Codable {
    /// One JSON file per deployment, the original server's layout.
    case file
    /// A SQLite database in WAL mode.
    case sqlite
}
