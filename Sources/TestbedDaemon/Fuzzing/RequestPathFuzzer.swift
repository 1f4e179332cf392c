import Dispatch
import Foundation
import NIOCore
import NIOExtras
import TestbedProtocol

/// The daemon's request path, as a fuzzer drives it: bytes arrive on one
/// connection through the pipeline a Unix socket gets (`FrameDecoder`,
/// `FrameEncoder`, `ConnectionHandler`), are parsed (`ParsedRequest`) and
/// dispatched through the daemon's real method table over a real store in a
/// throwaway folder (`FuzzEnvironment`). It exists for the fuzzer
/// `testbed-fuzz-request` and for the tests that replay what it found; the
/// daemon never uses it.
///
/// An input is a header byte, then the bytes the client sends. The header
/// picks the caller (`header % 3`: root on the read-write socket, an operator
/// on it, a reader on the read-only socket) and how the bytes are cut into
/// reads (`header / 3`; see `FuzzInput`). The client then shuts down its
/// writing side, and the connection must close once everything is answered.
///
/// Beyond not crashing, each input is held to these rules (a broken one stops
/// the process): cutting the bytes differently finds the same frames; a
/// payload is a parse error exactly when `JSONValidator` refuses it; every
/// answer is a well-formed JSON-RPC answer with a message in words; the
/// connection closes within seconds; no action is left running.
public final class RequestPathFuzzer: @unchecked Sendable {
    private let environment: FuzzEnvironment
    /// Frames larger than this are refused, so hostile lengths are tried too.
    static let maxFrameBytes = 16_384

    /// Sets up the daemon's parts in a temporary folder (under `$TMPDIR`), removed when this is released.
    public init() throws {
        environment = try FuzzEnvironment()
    }

    /// Serves `input` as one connection and checks the rules above.
    public func run(_ input: [UInt8]) {
        input.withUnsafeBytes { run($0) }
    }

    /// Serves `input` as one connection and checks the rules above.
    public func run(_ input: UnsafeRawBufferPointer) {
        let input = FuzzInput(input, choices: 3)
        do {
            try environment.prepare()
        } catch {
            preconditionFailure("the fuzzer's daemon could not be reset: \(error)")
        }
        Self.checkFraming(input)
        Self.checkParsing(input.payload)

        let environment = self.environment
        let loop = environment.loop
        let channel = FuzzChannel(on: loop)
        let caller = Self.caller(input.choice, environment.policy)
        let served = loop.submit {
            // The pipeline a Unix socket connection gets, with the daemon's default limits.
            try channel.pipeline.syncOperations.addHandlers(RPCServer.servingHandlers(
                methods: environment.daemonTable, caller: caller, authorizer: environment.authorizer,
                maxFrameBytes: Self.maxFrameBytes, bounds: environment.bounds(maxInFlight: ConnectionHandler.defaultMaxInFlight),
                idleTimeout: ConnectionLimits.timeAmount(ConnectionLimits().idleTimeout), logger: environment.logger))
            channel.activate()
            for chunk in input.chunks where channel.isOpen {
                channel.receive(channel.allocator.buffer(bytes: chunk))
            }
            channel.receiveEnd()
        }
        do {
            try served.wait()
        } catch {
            preconditionFailure("the connection could not be set up: \(error)")
        }
        Self.waitForClose(channel, loop: loop)
        let written = (try? loop.submit { channel.takeWritten() }.wait()) ?? []
        AnswerCheck.check(written: written.flatMap { Array($0.readableBytesView) }, sent: input.payload, "request path")
    }

    /// The caller the header picks.
    private static func caller(_ choice: Int, _ policy: AccessPolicy) -> Caller {
        let (uid, listener): (UInt32, ListenerKind) = switch choice {
        case 0: (0, .readWrite)
        case 1: (1000, .readWrite)
        default: (1000, .readOnly)
        }
        let peer = PeerCredentials(pid: 4242, uid: uid, gid: uid, groups: [])
        return Caller(peer: peer, listener: listener, role: policy.role(of: peer, on: listener))
    }

    /// Waits for the connection to close once its input has ended; a daemon
    /// that is stopping closes it in any case. Still open after that is a hang.
    static func waitForClose(_ channel: FuzzChannel, loop: any EventLoop) {
        let closed = DispatchSemaphore(value: 0)
        channel.closeFuture.whenComplete { _ in closed.signal() }
        if closed.wait(timeout: .now() + 5) == .success { return }
        loop.execute { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        if closed.wait(timeout: .now() + 10) == .success { return }
        preconditionFailure("hang: the connection was still open 15 s after its input ended, 10 s after the daemon began stopping")
    }

    /// The frames found in the whole input, and the framing error if any, are
    /// the same whatever the reads the bytes arrive in.
    static func checkFraming(_ input: FuzzInput) {
        let decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
        func frames(_ reads: [ArraySlice<UInt8>]) -> (frames: [[UInt8]], error: String?) {
            var buffer = ByteBuffer()
            var frames: [[UInt8]] = []
            for read in reads {
                buffer.writeBytes(read)
                do {
                    while let frame = try decoder.nextFrame(from: &buffer) { frames.append(Array(frame.readableBytesView)) }
                } catch {
                    return (frames, "\(error)")
                }
            }
            return (frames, nil)
        }
        let whole = frames([input.payload[...]])
        let cut = frames(input.chunks)
        precondition(
            whole.frames == cut.frames && whole.error == cut.error,
            "FrameDecoder found \(whole.frames.count) frames (\(whole.error ?? "no error")) in the whole input but \(cut.frames.count) (\(cut.error ?? "no error")) in \(input.chunks.count) reads")
    }

    /// Each frame is a parse error exactly when the validator refuses it as
    /// JSON, and is never refused for a reason the validator should have caught.
    static func checkParsing(_ payload: [UInt8]) {
        var buffer = ByteBuffer(bytes: payload)
        let decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
        while let frame = try? decoder.nextFrame(from: &buffer) {
            let bytes = Array(frame.readableBytesView)
            var syntax: JSONSyntaxError?
            do { try JSONValidator.validate(bytes) } catch { syntax = error }
            do {
                _ = try ParsedRequest.parse(Data(bytes))
                precondition(syntax == nil, "ParsedRequest accepted a payload JSONValidator refuses: \(syntax!)")
            } catch {
                let isParseError = error.error.code == .parseError
                precondition(
                    isParseError == (syntax.map { !$0.isWellFormedJSON } ?? false),
                    "ParsedRequest answered \(error.error.code.rawValue) \"\(error.error.message)\" where the validator said \(syntax.map { "\($0)" } ?? "valid JSON")")
                precondition(
                    !error.error.message.contains("could not be read as a JSON-RPC 2.0 request"),
                    "ParsedRequest could not read valid JSON: \(String(decoding: bytes.prefix(500), as: UTF8.self))")
            }
        }
    }
}
