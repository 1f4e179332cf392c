import Foundation
import Testing
import TestbedProtocol

@Suite("DeploymentState coding")
struct DeploymentStateCodingTests {
    static let golden: [(DeploymentState, String)] = [
        (.up, #""up""#),
        (.down, #""down""#),
        (.running, #""running""#),
        (.failed(.down), #"{"failed":"down"}"#),
        (.failed(.generateArtefacts), #"{"failed":"generate_artefacts"}"#),
        (.failed(.clearArtefacts), #"{"failed":"clear_artefacts"}"#),
        (.failed(.up(.init())),
         #"{"failed":{"up":{"up_cmd":{"provision":false,"reapply_acl":false,"rerun_scripts":false}}}}"#),
        (.failed(.snapshot(.info(name: "g"))), #"{"failed":{"snapshot":{"snapshot_cmd":{"info":{"name":"g"}}}}}"#),
        (.failed(.testbedSnapshot(snapshotGuests: false)), #"{"failed":{"testbed_snapshot":{"snapshot_guests":false}}}"#),
    ]

    @Test(arguments: golden)
    func encodesAsTheOriginal(state: DeploymentState, json: String) throws {
        #expect(try wireString(state) == json)
    }

    @Test(arguments: golden)
    func decodesTheOriginal(state: DeploymentState, json: String) throws {
        #expect(try wireDecode(DeploymentState.self, json) == state)
    }

    @Test(arguments: golden.map(\.0))
    func roundTrips(state: DeploymentState) throws {
        let data = try JSONCoding.shared.encode(state)
        #expect(try JSONCoding.sharedDecoder.decode(DeploymentState.self, from: data) == state)
    }

    @Test(arguments: [
        #""failed""#, #""UP""#, #""sideways""#, #""""#, "1", "null", "[]", "{}",
        #"{"failed":"sideways"}"#, #"{"failed":null}"#, #"{"failed":{}}"#, #"{"failed":{"down":{}}}"#,
        #"{"up":"down"}"#,
    ])
    func malformedInputFails(json: String) {
        #expect(throws: DecodingError.self) { try wireDecode(DeploymentState.self, json) }
    }

    @Test func summary() {
        #expect(DeploymentState.up.summary == "up")
        #expect(DeploymentState.down.summary == "down")
        #expect(DeploymentState.running.summary == "running")
        #expect(DeploymentState.failed(.down).summary == "failed")
    }
}
