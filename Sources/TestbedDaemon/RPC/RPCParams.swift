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
