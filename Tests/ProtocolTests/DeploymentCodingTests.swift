import Foundation
import Testing
import TestbedProtocol

@Suite("Deployment coding")
struct DeploymentCodingTests {
    /// 2023-11-14T22:13:20Z.
    static let created = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func encodesNullLastActionAndISODate() throws {
        let deployment = Deployment(name: "web", projectLocation: "/srv/web", createdAt: Self.created)
        #expect(try wireString(deployment)
            == #"{"created_at":"2023-11-14T22:13:20Z","last_action_uuid":null,"name":"web","owner_uid":null,"project_location":"/srv/web","state":"down"}"#)
    }

    @Test func encodesFullDeployment() throws {
        let deployment = Deployment(
            name: "lab", projectLocation: "/home/u/lab", state: .failed(.up(.init(provision: true))),
            lastActionUUID: "0b3c8f2e-5d1a-4c7e-9f00-123456789abc", createdAt: Self.created, ownerUID: 1000)
        let json = #"{"created_at":"2023-11-14T22:13:20Z","last_action_uuid":"0b3c8f2e-5d1a-4c7e-9f00-123456789abc","name":"lab","owner_uid":1000,"project_location":"/home/u/lab","state":{"failed":{"up":{"up_cmd":{"provision":true,"reapply_acl":false,"rerun_scripts":false}}}}}"#
        #expect(try wireString(deployment) == json)
        #expect(try wireDecode(Deployment.self, json) == deployment)
    }

    @Test func decodesWithAbsentOrNullLastAction() throws {
        let expected = Deployment(name: "a", projectLocation: "/p", state: .running, createdAt: Self.created)
        #expect(try wireDecode(Deployment.self,
            #"{"created_at":"2023-11-14T22:13:20Z","name":"a","project_location":"/p","state":"running"}"#) == expected)
        #expect(try wireDecode(Deployment.self,
            #"{"created_at":"2023-11-14T22:13:20Z","last_action_uuid":null,"name":"a","project_location":"/p","state":"running"}"#)
            == expected)
    }

    @Test func refusesANonISODate() {
        #expect(throws: DecodingError.self) {
            try wireDecode(Deployment.self, #"{"created_at":1700000000,"name":"a","project_location":"/p","state":"up"}"#)
        }
    }

    @Test func listRoundTrips() throws {
        let list = DeploymentList(deployments: [
            Deployment(name: "a", projectLocation: "/a", state: .up, createdAt: Self.created),
            Deployment(name: "b", projectLocation: "/b", state: .failed(.clearArtefacts), lastActionUUID: "u",
                       createdAt: Self.created.addingTimeInterval(60)),
        ])
        let data = try JSONCoding.shared.encode(list)
        #expect(try JSONCoding.sharedDecoder.decode(DeploymentList.self, from: data) == list)
    }
}
