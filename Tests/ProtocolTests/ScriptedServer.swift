import Foundation
import NIOCore
import NIOPosix
import TestbedProtocol

/// A stand-in for testbedd on a Unix socket in a fresh folder under /tmp. Per request:
/// - `fail`: an error response, code -32005 (busy);
/// - `hold`: no answer until a `release` arrives on the same connection;
/// - `release`: answers itself, then the held request, each with `{"method":<its method>}`;
/// - `close`: closes the connection without answering;
/// - `poison`: an error response with a null id (code -32600), then closes, as for a refused frame;
/// - `complain`: the same null-id error, but the connection stays open and the request unanswered;
/// - anything else: two `rpc.stream` chunks (`["a","b"]`, `["c"]`), then `{}`.
final class ScriptedServer: Sendable {
    let socketPath: String
    private let folder: String
    private let channel: any Channel

    private init(socketPath: String, folder: String, channel: any Channel) {
        self.socketPath = socketPath
        self.folder = folder
        self.channel = channel
    }

    static func start() async throws -> ScriptedServer {
        let folder = "/tmp/pt-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let socketPath = folder + "/s.sock"
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder()),
                        FrameEncoder(),
                        ScriptedHandler(),
                    ])
                }
            }
            .bind(unixDomainSocketPath: socketPath)
            .get()
        return ScriptedServer(socketPath: socketPath, folder: folder, channel: channel)
    }

    func stop() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// The server side of one connection.
private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Request: Decodable {
        let id: RequestID
        let method: String
    }

    private var held: RequestID?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = Data(Self.unwrapInboundIn(data).readableBytesView)
        guard let request = try? JSONDecoder().decode(Request.self, from: payload) else {
            context.close(promise: nil)
            return
        }
        let id = Self.json(request.id)
        switch request.method {
        case "fail":
            send(#"{"error":{"code":-32005,"message":"an action is in progress"},"id":\#(id),"jsonrpc":"2.0"}"#, context)
        case "hold":
            held = request.id
        case "release":
            send(#"{"id":\#(id),"jsonrpc":"2.0","result":{"method":"release"}}"#, context)
            if let held {
                send(#"{"id":\#(Self.json(held)),"jsonrpc":"2.0","result":{"method":"hold"}}"#, context)
                self.held = nil
            }
        case "close":
            context.close(promise: nil)
        case "poison", "complain":
            send(#"{"error":{"code":-32600,"message":"bad frame"},"id":null,"jsonrpc":"2.0"}"#, context)
            if request.method == "poison" { context.close(promise: nil) }
        default:
            send(#"{"jsonrpc":"2.0","method":"rpc.stream","params":{"id":\#(id),"lines":["a","b"],"seq":0}}"#, context)
            send(#"{"jsonrpc":"2.0","method":"rpc.stream","params":{"id":\#(id),"lines":["c"],"seq":1}}"#, context)
            send(#"{"id":\#(id),"jsonrpc":"2.0","result":{}}"#, context)
        }
    }

    private func send(_ json: String, _ context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: json)), promise: nil)
    }

    private static func json(_ id: RequestID) -> String {
        switch id {
        case .int(let i): String(i)
        case .string(let s): String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
        }
    }
}
