import Foundation
import Testing
import TestbedProtocol

/// A running daemon serves every described method on its socket and no other:
/// each is found (bridge-only ones refused on the socket), an unknown one is not.
@Suite struct MethodTableTests {
    @Test func theDaemonServesExactlyTheDescribedMethods() async throws {
        let sandbox = try Sandbox()
        let daemon = try await DaemonProcess.start(in: sandbox)
        try await withCleanup {
            let client = try RawClient(path: sandbox.socket)
            for (index, method) in RPCMethod.all.enumerated() {
                // Empty params: nothing is changed, and each answer shows the method was found.
                // (events.watch would stream until cancelled: half its params get it answered at once.)
                let params = method.name == RPCMethod.eventsWatch.name ? #"{"since":1}"# : "{}"
                let answer = try client.call(method.name, id: index + 1, params: params)
                if method.access.listeners.contains(.readWrite) {
                    #expect(answer.errorCode != -32601, "\(method.name): \(answer)")
                } else {
                    #expect(answer.errorCode == -32004, "\(method.name): \(answer)")
                    #expect(answer.errorMessage?.contains("only over the cluster's bridge") == true, "\(method.name)")
                }
            }
            let unknown = try client.call("deployment.nope", id: 999)
            #expect(unknown.errorCode == -32601)
        } cleanup: {
            _ = try? await daemon.stop()
        }
    }
}
