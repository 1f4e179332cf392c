import ArgumentParser
import TestbedProtocol

/// A required deployment NAME, checked before anything is sent.
struct DeploymentNameArgument: ParsableArguments {
    @Argument(help: "The deployment's name.", completion: Completions.deploymentNames) var name: String

    func validate() throws {
        if let problem = DeploymentName.problem(with: name) { throw ValidationError(problem) }
    }
}
