/// A testbed host as the original's `host.json` describes it, and as the
/// main keeps each member in `kvm-compose-config.json`. Decoding refuses
/// unknown fields, so a misspelt one is an error, not silently dropped.
public struct HostDescription: Codable, Sendable, Hashable {
    /// The address other hosts reach this one at.
    public var ip: String
    /// The user the orchestrator logs in as over SSH.
    public var user: String
    /// The SSH private key for that user.
    public var identityFile: String
    /// The NIC carrying testbed traffic between hosts.
    public var testbedNic: String
    /// The host's main interface.
    public var mainInterface: String
    public var isMainHost: Bool
    public var ovn: OVN

    /// The host's OVN settings.
    public struct OVN: Codable, Sendable, Hashable {
        /// The chassis name: the host's name in the cluster and in its certificate.
        public var chassisName: String
        /// The OVS integration bridge.
        public var bridge: String?
        /// On a client: the main's OVN southbound database, as the main answered the join.
        public var clientOvnRemote: String?

        public init(chassisName: String, bridge: String? = nil, clientOvnRemote: String? = nil) {
            self.chassisName = chassisName
            self.bridge = bridge
            self.clientOvnRemote = clientOvnRemote
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case chassisName = "chassis_name"
            case bridge
            case clientOvnRemote = "client_ovn_remote"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownMembers(Set(CodingKeys.allCases.map(\.rawValue)), in: "ovn")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            chassisName = try container.decode(String.self, forKey: .chassisName)
            bridge = try container.decodeIfPresent(String.self, forKey: .bridge)
            clientOvnRemote = try container.decodeIfPresent(String.self, forKey: .clientOvnRemote)
        }
    }

    public init(
        ip: String, user: String, identityFile: String, testbedNic: String, mainInterface: String,
        isMainHost: Bool, ovn: OVN
    ) {
        self.ip = ip
        self.user = user
        self.identityFile = identityFile
        self.testbedNic = testbedNic
        self.mainInterface = mainInterface
        self.isMainHost = isMainHost
        self.ovn = ovn
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case ip, user, ovn
        case identityFile = "identity_file"
        case testbedNic = "testbed_nic"
        case mainInterface = "main_interface"
        case isMainHost = "is_main_host"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownMembers(Set(CodingKeys.allCases.map(\.rawValue)), in: "host")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ip = try container.decode(String.self, forKey: .ip)
        user = try container.decode(String.self, forKey: .user)
        identityFile = try container.decode(String.self, forKey: .identityFile)
        testbedNic = try container.decode(String.self, forKey: .testbedNic)
        mainInterface = try container.decode(String.self, forKey: .mainInterface)
        isMainHost = try container.decode(Bool.self, forKey: .isMainHost)
        ovn = try container.decode(OVN.self, forKey: .ovn)
    }
}
