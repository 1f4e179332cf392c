/// A method's params type. `fieldNames` lists the wire names it accepts, so a
/// misspelt parameter is refused instead of silently ignored; each params type
/// derives it from its own `CodingKeys`.
public protocol RPCParams: Codable, Sendable {
    static var fieldNames: Set<String> { get }
}

extension NoParams: RPCParams {}
extension HelloParams: RPCParams {}
extension NameParams: RPCParams {}
extension ResetStateParams: RPCParams {}
extension DeploymentListParams: RPCParams {}
extension CreateParams: RPCParams {}
extension CancelParams: RPCParams {}
extension UpParams: RPCParams {}
extension ActionNameParams: RPCParams {}
extension SnapshotParams: RPCParams {}
extension TestbedSnapshotParams: RPCParams {}
extension ActionIDParams: RPCParams {}
extension ActionLogsParams: RPCParams {}
extension JoinParams: RPCParams {}
extension EvictParams: RPCParams {}
extension ConfigGetParams: RPCParams {}
extension ConfigSetParams: RPCParams {}
extension EventsWatchParams: RPCParams {}
