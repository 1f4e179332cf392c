extension RPCConnection {
    /// Sends a request for `method` and returns the call, whose events carry its stream and result.
    public func start<P, R>(_ method: MethodDescriptor<P, R>, params: P) throws -> RPCCall {
        try start(method.name, params: params)
    }

    /// Calls `method` and waits for its result.
    public func call<P, R>(_ method: MethodDescriptor<P, R>, params: P) async throws -> R {
        try await start(method.name, params: params).result(as: R.self)
    }

    /// Calls `method`, which takes no params, and waits for its result.
    public func call<R>(_ method: MethodDescriptor<NoParams, R>) async throws -> R {
        try await start(method.name).result(as: R.self)
    }
}
