import ArgumentParser

/// `testbedctl cluster ...`: the cluster's members and its certificates.
struct ClusterGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Show and manage the cluster: members, the CA and node certificates.",
        subcommands: [
            ClusterStatusCommand.self, ClusterEvictCommand.self, ClusterCAGroup.self,
            ClusterIssueCommand.self, ClusterCSRCommand.self, ClusterSignCommand.self,
        ])
}
