/// One method's contract, shared by the daemon and its clients as libvirt's
/// procedure tables are: its name, its params and result types, and who may
/// call it where. The daemon registers its handler under a descriptor; a
/// client calls through one and gets the result type back.
public struct MethodDescriptor<Params: RPCParams, Result: Codable & Sendable>: Sendable {
    public let name: String
    public let access: MethodAccess

    public init(_ name: String, _ access: MethodAccess, params: Params.Type = Params.self, result: Result.Type = Result.self) {
        self.name = name
        self.access = access
    }

    /// The descriptor without its types, for tables and docs.
    public var erased: AnyMethodDescriptor {
        AnyMethodDescriptor(name: name, access: access, fieldNames: Params.fieldNames)
    }
}

/// A method descriptor without its params and result types.
public struct AnyMethodDescriptor: Sendable, Hashable {
    public let name: String
    public let access: MethodAccess
    /// The params' wire names.
    public let fieldNames: Set<String>
}
