import ArgumentParser
import FoundationEssentials
import TestbedPKI

/// Options of the certificate commands, which work on files and need no daemon.
struct PKIOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The cluster's PKI folder.", valueName: "path"))
    var pkiDir = "/etc/testbedos/pki"

    @Flag(name: .long, help: "Replace files that already exist.")
    var force = false

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false

    /// Runs `body`; a certificate error becomes a `CLIError` (exit 1).
    func run(_ body: () throws(PKIError) -> Void) throws {
        do {
            try body()
        } catch {
            throw CLIError(error.message)
        }
    }

    /// A chassis name from the command line, or a usage error.
    static func chassis(_ text: String) throws -> ChassisName {
        do { return try ChassisName(text) } catch {
            throw ValidationError(error.message)
        }
    }

    static func validateDays(_ days: Int) throws {
        guard (1...36500).contains(days) else { throw ValidationError("--days must be between 1 and 36500") }
    }
}
