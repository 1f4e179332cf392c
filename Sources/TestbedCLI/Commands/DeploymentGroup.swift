import ArgumentParser

/// `testbedctl deployment ...`: create, list, inspect and remove deployments.
struct DeploymentGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "Create, list, inspect and destroy deployments.",
        subcommands: [
            DeploymentCreate.self, DeploymentList.self, DeploymentInfo.self,
            DeploymentDestroy.self, DeploymentResetState.self,
        ])
}
