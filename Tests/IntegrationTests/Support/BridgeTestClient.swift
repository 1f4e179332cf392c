import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import TestbedPKI
import TestbedProtocol

/// A bridge peer played by the test: TLS with the given node credentials (or
/// none), trusting `caFile`, then one JSON-RPC call.
struct BridgeTestClient {
    let port: Int
    /// A folder with node.pem and node.key; nil to present no certificate.
    let credentials: String?
    /// The CA certificate this client trusts for the server's certificate.
    let caFile: String

    func call<P: Encodable & Sendable, R: Decodable & Sendable>(
        _ method: String, params: P, as type: R.Type = R.self
    ) async throws -> R {
        let connection = try await connect()
        // A test must fail, not hang, when the daemon never answers.
        let deadline = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .seconds(10)) { connection.abort() }
        defer {
            deadline.cancel()
            connection.abort()
        }
        return try await connection.call(method, params: params, as: R.self)
    }

    /// A connection that stays open until aborted.
    func connect() async throws -> RPCConnection {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        configuration.certificateVerification = .noHostnameVerification
        if let credentials {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(NodeCredentials.certificatePath(in: credentials)).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: NodeCredentials.keyPath(in: credentials), format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        return try await RPCConnection.connect(host: "127.0.0.1", port: port, connectTimeout: .seconds(5)) { channel in
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
            return channel.eventLoop.makeSucceededVoidFuture()
        }
    }

    func call<R: Decodable & Sendable>(_ method: String, as type: R.Type = R.self) async throws -> R {
        try await call(method, params: NoParams(), as: R.self)
    }
}
