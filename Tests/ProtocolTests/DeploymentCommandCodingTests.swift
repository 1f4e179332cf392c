import Foundation
import Testing
import TestbedProtocol

@Suite("DeploymentCommand coding")
struct DeploymentCommandCodingTests {
    typealias Target = SnapshotCommand.SnapshotTarget

    /// Every variant, with the bytes the original server wrote for it.
    static let golden: [(DeploymentCommand, String)] = [
        (.down, #""down""#),
        (.generateArtefacts, #""generate_artefacts""#),
        (.clearArtefacts, #""clear_artefacts""#),
        (.up(.init()), #"{"up":{"up_cmd":{"provision":false,"reapply_acl":false,"rerun_scripts":false}}}"#),
        (.up(.init(provision: true, rerunScripts: false, reapplyAcl: true)),
         #"{"up":{"up_cmd":{"provision":true,"reapply_acl":true,"rerun_scripts":false}}}"#),
        (.up(.init(provision: false, rerunScripts: true, reapplyAcl: false)),
         #"{"up":{"up_cmd":{"provision":false,"reapply_acl":false,"rerun_scripts":true}}}"#),
        (.snapshot(.create(Target(name: "g", snapshot: "s", all: false))),
         #"{"snapshot":{"snapshot_cmd":{"create":{"all":false,"name":"g","snapshot":"s"}}}}"#),
        (.snapshot(.create(Target(name: nil, snapshot: nil, all: true))),
         #"{"snapshot":{"snapshot_cmd":{"create":{"all":true,"name":null,"snapshot":null}}}}"#),
        (.snapshot(.delete(Target(name: nil, snapshot: "s", all: true))),
         #"{"snapshot":{"snapshot_cmd":{"delete":{"all":true,"name":null,"snapshot":"s"}}}}"#),
        (.snapshot(.restore(Target(name: "g", snapshot: nil, all: false))),
         #"{"snapshot":{"snapshot_cmd":{"restore":{"all":false,"name":"g","snapshot":null}}}}"#),
        (.snapshot(.info(name: "g")), #"{"snapshot":{"snapshot_cmd":{"info":{"name":"g"}}}}"#),
        (.snapshot(.list(name: "g", all: false)), #"{"snapshot":{"snapshot_cmd":{"list":{"all":false,"name":"g"}}}}"#),
        (.snapshot(.list(name: nil, all: true)), #"{"snapshot":{"snapshot_cmd":{"list":{"all":true,"name":null}}}}"#),
        (.testbedSnapshot(snapshotGuests: false), #"{"testbed_snapshot":{"snapshot_guests":false}}"#),
        (.testbedSnapshot(snapshotGuests: true), #"{"testbed_snapshot":{"snapshot_guests":true}}"#),
    ]

    @Test(arguments: golden)
    func encodesAsTheOriginal(command: DeploymentCommand, json: String) throws {
        #expect(try wireString(command) == json)
    }

    @Test(arguments: golden)
    func decodesTheOriginal(command: DeploymentCommand, json: String) throws {
        #expect(try wireDecode(DeploymentCommand.self, json) == command)
    }

    @Test(arguments: golden.map(\.0))
    func roundTrips(command: DeploymentCommand) throws {
        let data = try JSONCoding.shared.encode(command)
        #expect(try JSONCoding.sharedDecoder.decode(DeploymentCommand.self, from: data) == command)
    }

    @Test func absentOptionalSnapshotFieldsDecode() throws {
        #expect(try wireDecode(DeploymentCommand.self, #"{"snapshot":{"snapshot_cmd":{"list":{}}}}"#)
            == .snapshot(.list(name: nil, all: false)))
        #expect(try wireDecode(DeploymentCommand.self, #"{"snapshot":{"snapshot_cmd":{"create":{"all":false}}}}"#)
            == .snapshot(.create(Target(name: nil, snapshot: nil, all: false))))
    }

    @Test(arguments: [
        #"{"snapshot":{"snapshot_cmd":{"create":{"all":true,"name":null,"snapshot":null,"x":1}}}}"#,
        #"{"up":{"up_cmd":{"provision":false,"reapply_acl":false,"rerun_scripts":false,"x":true}}}"#,
        #"{"snapshot":{"snapshot_cmd":{"info":{"name":"g","all":true}}}}"#,
        #""sideways""#, #""Down""#, #""up""#, #""snapshot""#, #""testbed_snapshot""#, #""""#,
        "{}", "null", "42", "[]", #"["down"]"#,
        #"{"down":{}}"#, #"{"down":null}"#, #"{"generate_artefacts":{}}"#, #"{"clear_artefacts":true}"#,
        #"{"sideways":{}}"#,
        #"{"up":{"up_cmd":{"provision":false,"reapply_acl":false,"rerun_scripts":false}},"testbed_snapshot":{"snapshot_guests":false}}"#,
        #"{"up":{}}"#, #"{"up":{"up_cmd":{"provision":false}}}"#, #"{"up":"up_cmd"}"#,
        #"{"testbed_snapshot":{}}"#, #"{"testbed_snapshot":{"snapshot_guests":"no"}}"#,
        #"{"snapshot":{}}"#, #"{"snapshot":{"snapshot_cmd":{}}}"#, #"{"snapshot":{"snapshot_cmd":{"bogus":{}}}}"#,
        #"{"snapshot":{"snapshot_cmd":{"info":{}}}}"#, #"{"snapshot":{"snapshot_cmd":{"create":{}}}}"#,
        #"{"snapshot":{"snapshot_cmd":{"info":{"name":"g"},"list":{}}}}"#,
    ])
    func malformedInputFails(json: String) {
        #expect(throws: DecodingError.self) { try wireDecode(DeploymentCommand.self, json) }
    }

    /// The objects have two keys, but only one is a known tag: the `allKeys.count == 1`
    /// checks count recognised keys only, so the stray key is silently ignored.
    @Test(arguments: [
        #"{"up":{"up_cmd":{"provision":false,"reapply_acl":false,"rerun_scripts":false}},"extra":1}"#,
        #"{"snapshot":{"snapshot_cmd":{"info":{"name":"g"},"bogus":1}}}"#,
    ])
    func objectWithAStraySecondKeyFails(json: String) {
        #expect(throws: DecodingError.self) { try wireDecode(DeploymentCommand.self, json) }
    }

    @Test func wordNamesEachVariant() {
        #expect(DeploymentCommand.up(.init()).word == "up")
        #expect(DeploymentCommand.down.word == "down")
        #expect(DeploymentCommand.generateArtefacts.word == "generate_artefacts")
        #expect(DeploymentCommand.clearArtefacts.word == "clear_artefacts")
        #expect(DeploymentCommand.snapshot(.info(name: "g")).word == "snapshot")
        #expect(DeploymentCommand.testbedSnapshot(snapshotGuests: true).word == "testbed_snapshot")
    }

    @Test func snapshotReadOnlyQueries() {
        #expect(SnapshotCommand.info(name: "g").isReadOnly)
        #expect(SnapshotCommand.list(name: nil, all: true).isReadOnly)
        #expect(!SnapshotCommand.create(Target()).isReadOnly)
        #expect(!SnapshotCommand.delete(Target()).isReadOnly)
        #expect(!SnapshotCommand.restore(Target()).isReadOnly)
    }
}
