import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// The deployment an action command acts on: NAME, or the current folder's
/// name made safe, in which case the deployment is created from the current
/// folder when it does not exist yet (as the original CLI did).
struct DeploymentTarget: ParsableArguments {
    @Argument(help: "The deployment (default: the current folder's name, made safe).", completion: Completions.deploymentNames)
    var name: String?

    func validate() throws {
        if let name, let problem = DeploymentName.problem(with: name) { throw ValidationError(problem) }
        if name == nil, DeploymentName.sanitized(Self.currentFolderName) == nil {
            throw ValidationError("cannot make a deployment name from the current folder; pass a NAME")
        }
    }

    static var currentFolderName: String {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).lastPathComponent
    }

    var resolvedName: String { name ?? DeploymentName.sanitized(Self.currentFolderName)! }

    /// The deployment's name, after creating it from the current folder if NAME
    /// was left out and it does not exist yet.
    func ensure(in session: DaemonSession) async throws(CLIError) -> String {
        let chosen = resolvedName
        guard name == nil else { return chosen }
        do throws(CLIError) {
            let _: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: chosen))
        } catch where error.code == .notFound {
            let folder = FileManager.default.currentDirectoryPath
            let _: Deployment = try await session.call(
                RPCMethod.deploymentCreate, params: CreateParams(name: chosen, projectLocation: folder))
            StandardStream.error.write("created deployment \(chosen) from \(folder)\n")
        }
        return chosen
    }
}
