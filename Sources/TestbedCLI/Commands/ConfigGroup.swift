import ArgumentParser

/// `testbedctl config ...`: this host's host.json and the main's cluster configuration.
struct ConfigGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show or set this host's description and the cluster configuration.",
        subcommands: [ConfigGet.self, ConfigSet.self])
}
