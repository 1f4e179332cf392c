/// The params of an `rpc.cancel` notification.
public struct CancelParams: Codable, Sendable, Hashable {
    public var id: RequestID
    public init(id: RequestID) { self.id = id }

    enum CodingKeys: String, CodingKey, CaseIterable { case id }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}
