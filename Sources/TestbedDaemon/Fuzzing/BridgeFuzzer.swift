import Dispatch
import Foundation
import NIOCore
import NIOExtras
import NIOSSL
import TestbedProtocol

/// The bridge's server side, as a fuzzer drives it: bytes arrive at the
/// pipeline a bridge connection gets (`NIOSSLServerHandler` with this main's
/// credentials, then `PeerCertificateGate`, then, once the peer is verified,
/// the peer method table behind the framing), all over a throwaway CA made at
/// start (`FuzzEnvironment`). It exists for the fuzzer `testbed-fuzz-bridge`
/// and for the tests that replay what it found; the daemon never uses it.
///
/// An input is a header byte, then bytes. `header % 5` picks what the bytes are:
/// - 0: raw bytes from the network, before any handshake (a recorded
///   ClientHello is a good seed);
/// - 1 to 4: the plaintext a TLS client sends once its handshake is done,
///   the client being chassis `node1` (a member-to-be), the main's own chassis,
///   a certificate of another CA (refused by TLS), or no certificate (refused).
/// `header / 5` picks how the bytes are cut into reads or TLS records (see
/// `FuzzInput`). The client then ends its side (FIN, or TLS close_notify).
///
/// Each input must end with the connection closed, within seconds, and any
/// answer the client can read must be a well-formed JSON-RPC answer.
public final class BridgeFuzzer: @unchecked Sendable {
    private let environment: FuzzEnvironment
    private static let peerAddress = "127.0.0.1"

    /// Makes the throwaway CA and credentials and the daemon's parts in a
    /// temporary folder (under `$TMPDIR`), removed when this is released.
    public init() throws {
        environment = try FuzzEnvironment()
    }

    /// Serves `input` as one bridge connection and checks the rules above.
    public func run(_ input: [UInt8]) {
        input.withUnsafeBytes { run($0) }
    }

    /// Serves `input` as one bridge connection and checks the rules above.
    public func run(_ input: UnsafeRawBufferPointer) {
        let input = FuzzInput(input, choices: 5)
        do {
            try environment.prepare()
        } catch {
            preconditionFailure("the fuzzer's daemon could not be reset: \(error)")
        }
        let loop = environment.loop
        let server: FuzzChannel
        let probe: CloseRequestProbe
        do {
            server = FuzzChannel(on: loop, remoteAddress: try SocketAddress(ipAddress: Self.peerAddress, port: 40000))
            probe = try loop.submit { try self.serve(server) }.wait()
        } catch {
            preconditionFailure("the bridge connection could not be set up: \(error)")
        }
        if input.choice == 0 {
            _ = try? loop.submit {
                for chunk in input.chunks where server.isOpen { server.receive(server.allocator.buffer(bytes: chunk)) }
                server.receiveEnd()
            }.wait()
            RequestPathFuzzer.waitForClose(server, loop: loop)
            return
        }
        // A bridge client, like BridgeDialer's, does not allow half-closure: it answers close_notify with its own.
        let client = FuzzChannel(on: loop, allowsHalfClosure: false)
        let identity = environment.clientIdentities[input.choice - 1]
        do {
            try loop.submit {
                try client.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: identity, serverHostname: nil))
                client.activate()
            }.wait()
        } catch {
            preconditionFailure("the TLS client could not be set up: \(error)")
        }
        shuttle(server, client)
        for chunk in input.chunks {
            _ = try? loop.submit {
                guard client.isOpen else { return }
                client.writeAndFlush(client.allocator.buffer(bytes: chunk), promise: nil)
            }.wait()
            shuttle(server, client)
        }
        _ = try? loop.submit { if client.isOpen { client.close(mode: .output, promise: nil) } }.wait()
        // Until the server closes: answers of work done on the blocking pool come later.
        let deadline = DispatchTime.now() + .seconds(15)
        var drained = false
        var ended = false
        while (try? loop.submit({ server.isOpen }).wait()) == true {
            let moved = shuttle(server, client)
            let (clientOpen, closeRequested) = (try? loop.submit { (client.isOpen, probe.closeRequested) }.wait()) ?? (false, true)
            // A client that closed is a FIN, as a socket's close would send.
            if !ended && !clientOpen {
                ended = true
                _ = try? loop.submit { server.receiveEnd() }.wait()
            }
            if closeRequested && !clientOpen && !moved {
                // All said both ways: TLS would close the channel when its shutdown timer
                // fires. Closed below TLS, which would hold a close through the pipeline.
                _ = try? loop.submit { server.close0(error: ChannelError.eof, mode: .all, promise: nil) }.wait()
                continue
            }
            if !moved { usleep(500) }
            if !drained && DispatchTime.now() > deadline - .seconds(10) {
                drained = true
                loop.execute { server.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
            }
            precondition(DispatchTime.now() < deadline, "hang: the bridge connection was still open 15 s after its client closed")
        }
        shuttle(server, client)
        let plaintext = (try? loop.submit { () -> [UInt8] in
            if client.isOpen { client.close(promise: nil) }
            return client.received.flatMap { Array($0.readableBytesView) }
        }.wait()) ?? []
        AnswerCheck.check(written: plaintext, sent: input.payload, "bridge")
    }

    /// The first bytes a bridge client (chassis `node1`) sends: its TLS
    /// ClientHello. The seed corpus holds one recorded this way.
    public func recordClientHello() -> [UInt8] {
        let client = FuzzChannel(on: environment.loop, allowsHalfClosure: false)
        let identity = environment.clientIdentities[0]
        let hello = try? environment.loop.submit { () -> [UInt8] in
            try client.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: identity, serverHostname: nil))
            client.activate()
            defer { client.close(promise: nil) }
            return client.takeWritten().flatMap { Array($0.readableBytesView) }
        }.wait()
        return hello ?? []
    }

    /// Builds the bridge's server pipeline on `channel`, as `RPCServer` does
    /// for each bridge connection it accepts, with a probe just above TLS.
    /// Runs on the event loop.
    private func serve(_ channel: FuzzChannel) throws -> CloseRequestProbe {
        let environment = self.environment
        let node = environment.services.cluster
        let remote = Self.peerAddress
        let methods = environment.daemonTable!
        let authorizer = environment.authorizer
        let maxFrameBytes = min(environment.services.configuration.maxFrameBytes, FrameDecoder.defaultMaxFrameBytes)
        let bounds = environment.bounds(maxInFlight: BridgeAdmission.maxInFlight)
        let admission = BridgeAdmission(
            serverContext: environment.tls.serverContext, isRevoked: { node.registry.isRevoked(serial: $0) },
            connections: node.connections, logger: environment.logger
        ) { caller in
            RPCServer.servingHandlers(
                methods: methods, caller: caller, authorizer: authorizer, maxFrameBytes: maxFrameBytes,
                bounds: bounds, idleTimeout: BridgeAdmission.idleTimeout, logger: environment.logger)
        }
        let probe = CloseRequestProbe()
        try admission.admit(channel, from: remote, observer: probe)
        precondition((try? channel.pipeline.syncOperations.handler(type: PeerCertificateGate.self)) != nil, "bridge handshake slots for \(remote) leaked from earlier inputs")
        channel.activate()
        return probe
    }

    /// Carries the bytes each side wrote to the other until neither writes more;
    /// returns whether anything moved.
    @discardableResult
    private func shuttle(_ server: FuzzChannel, _ client: FuzzChannel) -> Bool {
        var movedAny = false
        while true {
            let moved = (try? environment.loop.submit { () -> Bool in
                let toClient = server.takeWritten()
                for bytes in toClient { client.receive(bytes) }
                let toServer = client.takeWritten()
                for bytes in toServer { server.receive(bytes) }
                return !toClient.isEmpty || !toServer.isEmpty
            }.wait()) ?? false
            guard moved else { return movedAny }
            movedAny = true
        }
    }
}
