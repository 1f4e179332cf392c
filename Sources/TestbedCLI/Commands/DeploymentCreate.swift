import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl deployment create [NAME] [--path DIR]`.
struct DeploymentCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a deployment from a project folder holding kvm-compose.yaml.")

    @Argument(help: "The deployment's name (default: the folder's name, made safe).")
    var name: String?

    @Option(name: .long, help: ArgumentHelp("The project folder (default: the current folder).", valueName: "dir"), completion: .directory)
    var path: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let name, let problem = DeploymentName.problem(with: name) { throw ValidationError(problem) }
        if name == nil, DeploymentName.sanitized(Self.folderName(projectFolder)) == nil {
            throw ValidationError("cannot make a deployment name from the folder \(projectFolder); pass a NAME")
        }
    }

    /// The project folder as an absolute path.
    var projectFolder: String {
        let cwd = FileManager.default.currentDirectoryPath
        guard let path else { return cwd }
        return path.hasPrefix("/") ? path : cwd + "/" + path
    }

    static func folderName(_ folder: String) -> String {
        URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
    }

    func run() async throws {
        let folder = projectFolder
        let chosen = name ?? DeploymentName.sanitized(Self.folderName(folder))!
        try await global.withSession { (session) throws(CLIError) in
            do throws(CLIError) {
                let deployment: Deployment = try await session.call(
                    RPCMethod.deploymentCreate, params: CreateParams(name: chosen, projectLocation: folder))
                global.output.emit(DeploymentJSON(deployment)) {
                    "created deployment \(deployment.name) from \(deployment.projectLocation)\n"
                }
            } catch where name == nil && error.code == .alreadyExists {
                throw CLIError(
                    "a deployment named \"\(chosen)\" already exists; to create another from \(folder), "
                        + "give it a name: testbedctl deployment create NAME --path \(folder)",
                    status: error.status, code: error.code)
            }
        }
    }
}
