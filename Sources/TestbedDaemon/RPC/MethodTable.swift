import Foundation
import NIOCore
import TestbedProtocol

/// The methods the daemon serves, by name. Each entry decodes its own params
/// type and encodes its own result type; dispatch sees only bytes and errors.
public struct MethodTable: Sendable {
    /// An entry's outcome with the result already encoded.
    enum Outcome {
        case now(Result<Data, RPCError>)
        case later(EventLoopFuture<Data>)
        case stream(@Sendable (RequestStream) -> Void)
    }

    typealias Entry = @Sendable (ParsedRequest, RequestContext) -> Outcome

    private var entries: [String: (role: Role, body: Entry)] = [:]
    /// The answer to a method this table does not serve; nil: method not found.
    let refusal: RPCError?

    public init() { refusal = nil }

    /// A table that answers every method it does not serve with `refusal`
    /// (the bridge: a method that exists elsewhere is refused, not hidden).
    public init(refusingOthersWith refusal: RPCError) { self.refusal = refusal }

    /// The registered method names, sorted.
    public var methodNames: [String] { entries.keys.sorted() }

    /// Registers `name`, for callers with at least `role`, served by `body`
    /// with params decoded as `P`.
    public mutating func register<P: RPCParams, R: Encodable & Sendable>(
        _ name: String,
        role: Role,
        params: P.Type,
        _ body: @escaping @Sendable (P, RequestContext) throws(RPCError) -> MethodReply<R>
    ) {
        precondition(entries[name] == nil, "method \(name) registered twice")
        entries[name] = (role, { request, context in
            do throws(RPCError) {
                let params = try request.decodeParams(as: P.self)
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
                return .now(.failure(error))
            }
        })
    }

    /// Registers `name`, a method without params.
    public mutating func register<R: Encodable & Sendable>(
        _ name: String,
        role: Role,
        _ body: @escaping @Sendable (RequestContext) throws(RPCError) -> MethodReply<R>
    ) {
        register(name, role: role, params: NoParams.self) { (_, context) throws(RPCError) in try body(context) }
    }

    func entry(_ method: String) -> (role: Role, body: Entry)? { entries[method] }

    static func encode<R: Encodable>(_ result: R) -> Result<Data, RPCError> {
        do {
            return .success(try JSONCoding.shared.encode(result))
        } catch {
            return .failure(RPCError(.internalError, "the daemon could not encode its answer: \(error)"))
        }
    }
}
