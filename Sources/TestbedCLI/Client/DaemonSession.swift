#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import NIOCore
import TestbedProtocol

/// A connection to testbedd that has said hello and checked the protocol
/// version, with every failure turned into a `CLIError` a person can act on.
public struct DaemonSession: Sendable {
    public let connection: RPCConnection
    public let hello: HelloResult
    public let socketPath: String

    /// Connects to `socketPath` and says hello.
    public static func open(socketPath: String) async throws(CLIError) -> DaemonSession {
        let connection: RPCConnection
        do {
            connection = try await RPCConnection.connect(unixSocketPath: socketPath)
        } catch {
            throw unreachable(socketPath, error)
        }
        let hello: HelloResult
        do {
            hello = try await Self.hello(connection)
        } catch let error as RPCError {
            await connection.close()
            throw failure(error)
        } catch {
            await connection.close()
            throw CLIError(
                "testbedd at \(socketPath) did not answer hello: \(Self.describe(error))", status: ExitStatus.unavailable)
        }
        guard hello.protocol == RPCMessage.protocolVersion else {
            await connection.close()
            throw CLIError(
                "testbedd at \(socketPath) speaks protocol \(hello.protocol) but this testbedctl speaks \(RPCMessage.protocolVersion); "
                    + "install matching versions of testbedd (\(hello.version)) and testbedctl",
                status: ExitStatus.protocolMismatch)
        }
        return DaemonSession(connection: connection, hello: hello, socketPath: socketPath)
    }

    /// Says hello asking for the `data` stream format. A daemon from before
    /// stream formats refuses the parameter: it is asked again without it.
    static func hello(_ connection: RPCConnection) async throws -> HelloResult {
        do {
            return try await connection.call(RPCMethod.hello, params: HelloParams(streamFormats: [.data, .lines]))
        } catch let error as RPCError where error.code == .invalidParams {
            return try await connection.call(RPCMethod.hello, params: HelloParams())
        }
    }

    /// Calls `method` and decodes its result, mapping a refusal to its exit code.
    public func call<P, R>(_ method: MethodDescriptor<P, R>, params: P) async throws(CLIError) -> R {
        do {
            return try await connection.call(method, params: params)
        } catch {
            throw Self.failure(error)
        }
    }

    /// Calls a method without params.
    public func call<R>(_ method: MethodDescriptor<NoParams, R>) async throws(CLIError) -> R {
        try await call(method, params: NoParams())
    }

    public func close() async { await connection.close() }

    /// The CLI error for anything a call can throw.
    public static func failure(_ error: any Error) -> CLIError {
        if let error = error as? CLIError { return error }
        if let error = error as? RPCError {
            return CLIError(error.message, status: ExitStatus.forDaemonError(error.code), code: error.code)
        }
        return CLIError(describe(error), status: ExitStatus.unavailable)
    }

    static func unreachable(_ path: String, _ error: any Error) -> CLIError {
        let code = (error as? IOError)?.errnoCode
        switch code {
        case EACCES, EPERM:
            return CLIError(PermissionHint.explain(path), status: ExitStatus.permissionDenied)
        default:
            let reason = code.map { String(cString: strerror($0)) } ?? describe(error)
            return CLIError(
                "cannot reach testbedd at \(path): \(reason). Start it with `sudo systemctl start testbedd.socket`, "
                    + "or run `testbedd --dev` and point testbedctl at it with --socket or TESTBED_SOCKET",
                status: ExitStatus.unavailable)
        }
    }

    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }
}
