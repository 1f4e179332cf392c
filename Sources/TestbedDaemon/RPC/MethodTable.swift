import Foundation
import NIOCore
import TestbedProtocol

/// The methods the daemon serves, each under its descriptor (`RPCMethod`).
/// Each entry decodes its own params type and encodes its own result type;
/// dispatch sees only bytes, errors and the descriptor's access rules.
public struct MethodTable: Sendable {
    /// An entry's outcome with the result already encoded.
    enum Outcome {
        case now(Result<Data, RPCError>)
        case later(EventLoopFuture<Data>)
        case stream(@Sendable (RequestStream) -> Void)
    }

    typealias Body = @Sendable (ParsedRequest, RequestContext) -> Outcome

    struct Entry: Sendable {
        let method: AnyMethodDescriptor
        let body: Body
    }

    private var entries: [String: Entry] = [:]
    /// Where answered requests are counted, when the daemon keeps metrics.
    var metrics: DaemonMetrics?

    public init() {}

    /// Registers `body` to serve `method`. What `body` throws, and what a
    /// `.later` future fails with, is answered as `RPCError(wire:)` says.
    public mutating func register<P, R>(
        _ method: MethodDescriptor<P, R>,
        _ body: @escaping @Sendable (P, RequestContext) throws -> MethodReply<R>
    ) {
        precondition(entries[method.name] == nil, "method \(method.name) registered twice")
        entries[method.name] = Entry(method: method.erased) { request, context in
            let params: P
            do throws(RPCError) {
                params = try request.decodeParams(as: P.self)
            } catch {
                return .now(.failure(error))
            }
            do {
                switch try body(params, context) {
                case .now(let result):
                    return .now(Self.encode(result))
                case .encoded(let json):
                    return .now(.success(json))
                case .later(let future):
                    return .later(future.flatMapThrowing { result in try Self.encode(result).get() })
                case .stream(let body):
                    return .stream(body)
                }
            } catch {
                return .now(.failure(RPCError(wire: error)))
            }
        }
    }

    /// Registers `body` to serve `method`, which takes no params.
    public mutating func register<R>(
        _ method: MethodDescriptor<NoParams, R>,
        _ body: @escaping @Sendable (RequestContext) throws -> MethodReply<R>
    ) {
        register(method) { (_, context) in try body(context) }
    }

    func entry(_ method: String) -> Entry? { entries[method] }

    private static let emptyObject = Data("{}".utf8)

    static func encode<R: Encodable>(_ result: R) -> Result<Data, RPCError> {
        if result is EmptyResult { return .success(emptyObject) }
        do {
            return .success(try JSONCoding.shared.encode(result))
        } catch {
            return .failure(RPCError(.internalError, "the daemon could not encode its answer: \(error)"))
        }
    }
}
