import TestbedProtocol

/// A method's params type. `fieldNames` lists the wire names it accepts, so a
/// misspelt parameter is refused instead of silently ignored.
public protocol RPCParams: Decodable, Sendable {
    static var fieldNames: Set<String> { get }
}

extension NoParams: RPCParams {
    public static let fieldNames: Set<String> = []
}

extension NameParams: RPCParams {
    public static let fieldNames: Set<String> = ["name"]
}

extension CreateParams: RPCParams {
    public static let fieldNames: Set<String> = ["name", "project_location"]
}

extension CancelParams: RPCParams {
    public static let fieldNames: Set<String> = ["id"]
}

extension UpParams: RPCParams {
    public static let fieldNames: Set<String> = ["name", "provision", "rerun_scripts", "reapply_acl", "follow"]
}

extension ActionNameParams: RPCParams {
    public static let fieldNames: Set<String> = ["name", "follow"]
}

extension SnapshotParams: RPCParams {
    public static let fieldNames: Set<String> = ["name", "snapshot", "follow"]
}

extension TestbedSnapshotParams: RPCParams {
    public static let fieldNames: Set<String> = ["name", "snapshot_guests", "follow"]
}

extension ActionIDParams: RPCParams {
    public static let fieldNames: Set<String> = ["id"]
}

extension ActionLogsParams: RPCParams {
    public static let fieldNames: Set<String> = ["id", "follow", "offset"]
}

extension JoinParams: RPCParams {
    public static let fieldNames: Set<String> = ["host", "bridge_port"]
}

extension EvictParams: RPCParams {
    public static let fieldNames: Set<String> = ["chassis", "revoke"]
}

extension ConfigGetParams: RPCParams {
    public static let fieldNames: Set<String> = ["name"]
}

extension ConfigSetParams: RPCParams {
    public static let fieldNames: Set<String> = ["name", "value"]
}
