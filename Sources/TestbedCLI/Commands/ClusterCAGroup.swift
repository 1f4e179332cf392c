import ArgumentParser

/// `testbedctl cluster ca ...`: the cluster's certificate authority.
struct ClusterCAGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "The cluster's certificate authority.", subcommands: [ClusterCAInit.self])
}
