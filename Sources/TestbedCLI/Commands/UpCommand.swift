import ArgumentParser
import TestbedProtocol

/// `testbedctl up [NAME] [-p] [-r] [-a] [-d]`.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Bring a deployment up, showing the orchestration log as it runs.")

    @OptionGroup var target: DeploymentTarget
    @Flag(name: [.short, .long], help: "Provision the guests.") var provision = false
    @Flag(name: [.short, .long], help: "Run the guests' setup scripts again.") var rerunScripts = false
    @Flag(name: [.customShort("a"), .long], help: "Apply the ACL rules again.") var reapplyAcl = false
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (provision, rerunScripts, reapplyAcl) = (self.provision, self.rerunScripts, self.reapplyAcl)
        try await action.run(RPCMethod.deploymentUp, verb: "up", target: target, global: global) { name, follow in
            UpParams(name: name, provision: provision, rerunScripts: rerunScripts, reapplyAcl: reapplyAcl, follow: follow)
        }
    }
}
