import NIOCore
import NIOPosix
import Testing
@testable import TestbedProtocol

/// The client stops reading from the daemon while too many stream chunks wait
/// unread, and reads again once they are consumed.
@Suite struct ClientBackpressureTests {
    @Test func unreadChunksPauseReadingUntilConsumed() async throws {
        let server = try await ScriptedServer.start()
        // A real socket channel: its autoRead option is what the connection toggles.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: server.socketPath).get()
        defer { channel.close(promise: nil) }
        let calls = PendingCalls()
        calls.attach(channel)
        let (id, _) = try calls.open()
        for seq in 0..<(PendingCalls.highWater - 1) {
            calls.deliver(StreamChunk(id: id, seq: seq, lines: ["line"]))
        }
        #expect(try await channel.getOption(ChannelOptions.autoRead).get() == true)
        calls.deliver(StreamChunk(id: id, seq: PendingCalls.highWater, lines: ["line"]))
        #expect(try await channel.getOption(ChannelOptions.autoRead).get() == false)
        for _ in 0..<(PendingCalls.highWater - PendingCalls.lowWater - 1) { calls.consumedChunk() }
        #expect(try await channel.getOption(ChannelOptions.autoRead).get() == false)
        calls.consumedChunk()
        #expect(try await channel.getOption(ChannelOptions.autoRead).get() == true)
    }
}
