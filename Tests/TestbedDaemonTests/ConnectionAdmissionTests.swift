import Testing
import TestbedProtocol
@testable import TestbedDaemon

@Suite struct ConnectionAdmissionTests {
    static func admission(total: Int = 100, perUID: Int = 3, readOnly: Int = 5, descriptors: Int = 100_000) -> ConnectionAdmission {
        var limits = ConnectionLimits()
        limits.maxConnections = total
        limits.maxConnectionsPerUID = perUID
        limits.maxReadOnlyConnections = readOnly
        return ConnectionAdmission(limits: limits, descriptorLimit: descriptors)
    }

    static func user(_ uid: UInt32, readOnly: Bool = false, privileged: Bool = false) -> ConnectionAdmission.Applicant {
        .init(uid: uid, readOnly: readOnly, privileged: privileged)
    }

    @Test func aUIDGetsItsShareOverBothSocketsAndItsPlacesBack() throws {
        let admission = Self.admission()
        let first = try admission.admit(Self.user(1000)).get()
        _ = try admission.admit(Self.user(1000, readOnly: true)).get()
        _ = try admission.admit(Self.user(1000)).get()
        guard case .failure(let refusal) = admission.admit(Self.user(1000, readOnly: true)) else {
            Issue.record("a fourth connection of uid 1000 was admitted")
            return
        }
        #expect(refusal.code == .busy)
        #expect(refusal.message == "uid 1000 already holds 3 connections to testbedd (max_connections_per_uid); close some and try again")
        // Others are not affected, and a closed connection gives its place back.
        #expect((try? admission.admit(Self.user(1001)).get()) != nil)
        admission.release(first)
        #expect((try? admission.admit(Self.user(1000)).get()) != nil)
        #expect(admission.openConnections == 4)
    }

    @Test func rootMeetsOnlyTheGlobalCap() {
        let admission = Self.admission(total: 40, perUID: 1)
        for _ in 0..<40 { #expect((try? admission.admit(Self.user(0, privileged: true)).get()) != nil) }
        guard case .failure(let refusal) = admission.admit(Self.user(0, privileged: true)) else {
            Issue.record("a connection past max_connections was admitted")
            return
        }
        #expect(refusal.message == "testbedd is serving its maximum of 40 connections (max_connections); try again later")
    }

    @Test func theLastPlacesAreKeptForRootAndAdmins() {
        let admission = Self.admission(total: 40, perUID: 100, readOnly: 100)
        var admitted = 0
        for uid in UInt32(1000)..<1100 where (try? admission.admit(Self.user(uid)).get()) != nil { admitted += 1 }
        #expect(admitted == 40 - ConnectionLimits.privilegedConnections)
        #expect((try? admission.admit(Self.user(2000, privileged: true)).get()) != nil)
        #expect((try? admission.admit(Self.user(0, privileged: true)).get()) != nil)
    }

    @Test func theReadOnlySocketIsCappedAsAWholeRootIncluded() {
        let admission = Self.admission(perUID: 100, readOnly: 5)
        for uid in UInt32(1000)..<1005 { #expect((try? admission.admit(Self.user(uid, readOnly: true)).get()) != nil) }
        guard case .failure(let refusal) = admission.admit(Self.user(0, readOnly: true, privileged: true)) else {
            Issue.record("a sixth read-only connection was admitted")
            return
        }
        #expect(refusal.message.contains("max_ro_connections"))
        #expect((try? admission.admit(Self.user(1000)).get()) != nil)  // the read-write socket is another matter
    }

    @Test func bridgePeersAreNotCountedPerUID() {
        let admission = Self.admission(perUID: 1)
        for _ in 0..<10 {
            #expect((try? admission.admit(.init(uid: nil, readOnly: false, privileged: false)).get()) != nil)
        }
    }

    @Test func theCapFitsUnderTheDescriptorLimit() {
        var limits = ConnectionLimits()
        #expect(limits.effectiveMaxConnections(descriptorLimit: 1024) == 1024 - ConnectionLimits.reservedDescriptors)
        #expect(limits.effectiveMaxConnections(descriptorLimit: 1_048_576) == 4096)
        limits.maxConnections = 100
        #expect(limits.effectiveMaxConnections(descriptorLimit: 1024) == 100)
        // Never below the privileged reserve plus one, however low the limit.
        #expect(limits.effectiveMaxConnections(descriptorLimit: 64) == ConnectionLimits.privilegedConnections + 1)
    }
}
