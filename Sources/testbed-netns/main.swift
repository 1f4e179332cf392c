import Foundation
import TestbedNetns

exit(Orchestrator.main(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
