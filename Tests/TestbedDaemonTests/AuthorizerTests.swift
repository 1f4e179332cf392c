import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
import TestbedProtocol
@testable import TestbedDaemon

/// The one decision before dispatch: listener, role, and polkit where the
/// role is polkit's, driven with a polkit stand-in that counts its questions.
@Suite struct AuthorizerTests {
    static let socket = "/run/testbedos/testbedd.sock"
    static let alice = PeerCredentials(pid: 4242, uid: 1000, gid: 1000, groups: [], startTime: 7)

    /// A polkit stand-in: answers `role` (or fails), and counts the questions.
    final class FakePolkit: Sendable {
        let asked = NIOLockedValueBox(0)
        let answer: Result<Role?, PolkitAuthority.Failure>
        init(_ answer: Result<Role?, PolkitAuthority.Failure>) { self.answer = answer }

        var ask: Authorizer.AskPolkit {
            { _, loop in
                self.asked.withLockedValue { $0 += 1 }
                return loop.makeCompletedFuture(self.answer.mapError { $0 as any Error })
            }
        }
    }

    static func authorizer(polkit: FakePolkit? = nil) -> Authorizer {
        Authorizer(
            policy: AccessPolicy(adminGID: nil, readWriteSocket: socket, usesPolkit: polkit != nil),
            askPolkit: polkit?.ask, logger: Logger(label: "test"))
    }

    static func caller(_ listener: ListenerKind, _ authorizer: Authorizer, peer: PeerCredentials = alice) -> Caller {
        Caller(peer: peer, listener: listener, role: authorizer.policy.role(of: peer, on: listener))
    }

    /// The decision, waited for when polkit is asked.
    static func decide(
        _ method: AnyMethodDescriptor, _ caller: Caller, _ authorizer: Authorizer, grants: PolkitGrants = PolkitGrants()
    ) throws -> Result<Caller, RPCError> {
        let loop = EmbeddedEventLoop()
        switch authorizer.decide(method, for: caller, grants: grants, on: loop) {
        case .allowed(let caller): return .success(caller)
        case .refused(let error): return .failure(error)
        case .pending(let decision):
            loop.run()
            return try decision.wait()
        }
    }

    @Test(arguments: RPCMethod.all)
    func theReadOnlySocketServesExactlyTheReadersMethods(method: AnyMethodDescriptor) throws {
        let authorizer = Self.authorizer()
        let decision = try Self.decide(method, Self.caller(.readOnly, authorizer), authorizer)
        let servedToReaders = method.access.role == .reader && method.access.listeners.contains(.readOnly)
        switch decision {
        case .success(let caller):
            #expect(servedToReaders)
            #expect(caller.role == .reader)
        case .failure(let error):
            #expect(!servedToReaders)
            #expect(error.code == .permissionDenied)
            if method.access.listeners.contains(.readWrite) {
                #expect(error.message == "\(method.name) is not allowed on the read-only socket; use the read-write socket \(Self.socket) (members of the testbed group)")
            } else {
                #expect(error.message.contains("only over the cluster's bridge"))
            }
        }
    }

    @Test(arguments: RPCMethod.all)
    func theBridgeServesOnlyThePeerMethods(method: AnyMethodDescriptor) throws {
        let authorizer = Self.authorizer()
        let peer = VerifiedPeer(chassis: "node1", serial: "01", notValidAfter: .distantFuture)
        let decision = try Self.decide(method, Caller.bridge(peer, remoteAddress: "127.0.0.1"), authorizer)
        let peerMethods: Set = ["rpc.hello", "rpc.ping", "cluster.join", "cluster.heartbeat", "cluster.leave", "host.status"]
        switch decision {
        case .success: #expect(peerMethods.contains(method.name))
        case .failure(let error):
            #expect(!peerMethods.contains(method.name))
            #expect(error == Authorizer.onlyPeerMethods)
        }
        #expect(authorizer.unknown("no.such", for: Caller.bridge(peer, remoteAddress: "::1")) == Authorizer.onlyPeerMethods)
        #expect(Authorizer.onlyPeerMethods.message.hasPrefix(
            "only rpc.hello, rpc.ping, cluster.join, cluster.heartbeat, cluster.leave, host.status are served over the bridge"))
    }

    @Test func anOperatorIsRefusedWhatNeedsAnAdmin() throws {
        let authorizer = Self.authorizer()
        let caller = Self.caller(.readWrite, authorizer)
        #expect(caller.role == .operator)
        #expect(try Self.decide(RPCMethod.deploymentUp.erased, caller, authorizer).get().role == .operator)
        #expect(throws: RPCError(.permissionDenied, "cluster.evict needs an administrator (uid 0 or a member of the admin group)")) {
            try Self.decide(RPCMethod.clusterEvict.erased, caller, authorizer).get()
        }
    }

    @Test func polkitDecidesTheRoleOfEveryCallWhoseAnswerDependsOnIt() throws {
        let polkit = FakePolkit(.success(.admin))
        let authorizer = Self.authorizer(polkit: polkit)
        let caller = Self.caller(.readWrite, authorizer)
        #expect(caller.role == .reader)
        // A plain look does not ask polkit.
        #expect(try Self.decide(RPCMethod.ping.erased, caller, authorizer).get().role == .reader)
        #expect(polkit.asked.withLockedValue { $0 } == 0)
        // hello reports the role, and reading another's logs depends on it: both ask.
        for method in [RPCMethod.hello.erased, RPCMethod.actionLogs.erased, RPCMethod.clusterEvict.erased] {
            #expect(try Self.decide(method, caller, authorizer).get().role == .admin, "\(method.name)")
        }
        #expect(polkit.asked.withLockedValue { $0 } == 3)
    }

    @Test func polkitsAnswerIsReusedOnOneConnection() throws {
        let polkit = FakePolkit(.success(.operator))
        let authorizer = Self.authorizer(polkit: polkit)
        let grants = PolkitGrants()
        let caller = Self.caller(.readWrite, authorizer)
        for method in [RPCMethod.deploymentUp.erased, RPCMethod.deploymentDown.erased] {
            #expect(try Self.decide(method, caller, authorizer, grants: grants).get().role == .operator)
        }
        #expect(polkit.asked.withLockedValue { $0 } == 1)
    }

    @Test func rootAndTheReadOnlySocketNeverAskPolkit() throws {
        let polkit = FakePolkit(.success(.admin))
        let authorizer = Self.authorizer(polkit: polkit)
        let root = PeerCredentials(pid: 1, uid: 0, gid: 0)
        #expect(try Self.decide(RPCMethod.deploymentUp.erased, Self.caller(.readWrite, authorizer, peer: root), authorizer).get().role == .admin)
        #expect((try? Self.decide(RPCMethod.deploymentUp.erased, Self.caller(.readOnly, authorizer), authorizer).get()) == nil)
        #expect(polkit.asked.withLockedValue { $0 } == 0)
    }

    @Test func whenPolkitCannotAnswerReadersAreStillServedAndChangesAreRefused() throws {
        let polkit = FakePolkit(.failure(PolkitAuthority.Failure(description: "no bus")))
        let authorizer = Self.authorizer(polkit: polkit)
        let caller = Self.caller(.readWrite, authorizer)
        #expect(try Self.decide(RPCMethod.hello.erased, caller, authorizer).get().role == .reader)
        #expect(throws: RPCError(.permissionDenied, "polkit could not decide whether uid 1000 may call deployment.up: no bus")) {
            try Self.decide(RPCMethod.deploymentUp.erased, caller, authorizer).get()
        }
    }

    @Test func polkitGrantingNothingLeavesAReader() throws {
        let authorizer = Self.authorizer(polkit: FakePolkit(.success(nil)))
        let caller = Self.caller(.readWrite, authorizer)
        #expect(throws: RPCError(.permissionDenied, "deployment.create is not authorized for uid 1000 by polkit (org.testbedos.manage)")) {
            try Self.decide(RPCMethod.deploymentCreate.erased, caller, authorizer).get()
        }
        #expect(throws: RPCError(.permissionDenied, "config.set is not authorized for uid 1000 by polkit (org.testbedos.admin)")) {
            try Self.decide(RPCMethod.configSet.erased, caller, authorizer).get()
        }
    }

    @Test func ownershipActsForOwnersAndAdminsAndReadsForOwnersOnAnySocket() throws {
        let mine = Deployment(name: "lab", projectLocation: "/p", state: .down, createdAt: Date(), ownerUID: 1000, creationID: "a")
        let theirs = Deployment(name: "other", projectLocation: "/p", state: .down, createdAt: Date(), ownerUID: 2000, creationID: "b")
        let acts = Ownership.acts(verb: "destroy")
        let reads = Ownership.reads(what: "the orchestration logs of")
        let owner = Caller(peer: Self.alice, listener: .readWrite, role: .operator)
        let reader = Caller(peer: Self.alice, listener: .readOnly, role: .reader)
        let admin = Caller(peer: Self.alice, listener: .readWrite, role: .admin)
        try acts.check(owner, on: mine)
        try acts.check(admin, on: theirs)
        try reads.check(reader, on: mine)
        try reads.check(admin, on: theirs)
        #expect(throws: RPCError(.permissionDenied, "you (uid 1000) may not destroy deployment \"other\": it belongs to uid 2000; only its owner or an administrator may")) {
            try acts.check(owner, on: theirs)
        }
        #expect(throws: RPCError.self) { try acts.check(reader, on: mine) }
        #expect(throws: RPCError(.permissionDenied, "you (uid 1000) may not read the orchestration logs of \"other\"; only its owner or an administrator may")) {
            try reads.check(reader, on: theirs)
        }
    }
}
