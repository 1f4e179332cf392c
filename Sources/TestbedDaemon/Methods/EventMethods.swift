import TestbedProtocol

/// `events.watch`: the daemon's changes as they happen (`EventHub`).
enum EventMethods {
    static func register(into table: inout MethodTable, services: DaemonServices) {
        let events = services.registry.events
        table.register(RPCMethod.eventsWatch) { (params, _) throws(RPCError) -> MethodReply<EmptyResult> in
            guard (params.since == nil) == (params.bootID == nil) else {
                throw RPCError.invalidParams(
                    field: params.since == nil ? "since" : "boot_id",
                    "give since and boot_id together (both from the last event you got), or neither")
            }
            return .stream { stream in
                do throws(RPCError) {
                    try events.watch(stream, since: params.since, bootID: params.bootID)
                } catch {
                    stream.fail(error)
                }
            }
        }
    }
}
