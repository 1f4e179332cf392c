import ArgumentParser
import Testing
@testable import TestbedCLI

/// The help and the suggestions of every command.
@Suite struct CLIHelpTests {
    /// Every command of testbedctl, with the words that name it.
    static func commands(_ root: any ParsableCommand.Type = TestbedCtl.self, path: [String] = []) -> [([String], any ParsableCommand.Type)] {
        [(path, root)] + root.configuration.subcommands.flatMap { sub in
            commands(sub, path: path + [sub.configuration.commandName ?? ""])
        }
    }

    @Test func noOptionStatesItsDefaultTwice() {
        let all = Self.commands()
        #expect(all.count > 30)
        for (path, command) in all {
            let help = TestbedCtl.helpMessage(for: command, columns: 1000)
            for line in help.split(separator: "\n") where line.contains("(default: ") {
                let stated = line.components(separatedBy: "default").count - 1
                #expect(stated == 1, "testbedctl \(path.joined(separator: " ")) --help: \(line)")
            }
        }
    }

    @Test(arguments: [
        (["stauts"], "'testbedctl' has no command 'stauts'; did you mean 'status'?"),
        (["deployment", "lsit"], "'testbedctl deployment' has no command 'lsit'; did you mean 'list'?"),
        (["--socket", "/s", "deploymnet", "ls"], "'testbedctl' has no command 'deploymnet'; did you mean 'deployment'?"),
        (["cluster", "ca", "int"], "'testbedctl cluster ca' has no command 'int'; did you mean 'init'?"),
        (["frobnicate"], "'testbedctl' has no command 'frobnicate'. See 'testbedctl --help'."),
    ])
    func aMistypedCommandGetsTheClosestNames(arguments: [String], expected: String) throws {
        let problem = try #require(CommandSuggestion.problem(in: arguments, root: TestbedCtl.self))
        #expect(problem.hasPrefix(expected), "\(problem)")
    }

    @Test(arguments: [["status"], ["deployment", "ls", "web"], ["logs", "web", "abc"], ["up", "--", "stauts"], ["deployment", "rm", "x"]])
    func knownCommandsAndTheirArgumentsAreNotMistakes(arguments: [String]) {
        #expect(CommandSuggestion.problem(in: arguments, root: TestbedCtl.self) == nil)
    }

    @Test func distanceCountsASwapOfNeighboursAsOne() {
        #expect(CommandSuggestion.distance("stauts", "status") == 1)
        #expect(CommandSuggestion.distance("lsit", "list") == 1)
        #expect(CommandSuggestion.distance("", "abc") == 3)
        #expect(CommandSuggestion.distance("kitten", "sitting") == 3)
    }
}
