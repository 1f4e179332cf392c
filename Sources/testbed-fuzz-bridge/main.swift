// libFuzzer's entry point for the bridge's TLS side: the server pipeline of a
// bridge connection, before and after the handshake (see BridgeFuzzer).
// Built alone, with the fuzzer: scripts/fuzz builds and runs it.
import TestbedDaemon

/// Made on the first input: libFuzzer owns `main`, so no top-level code runs.
enum Target {
    static let fuzzer: BridgeFuzzer = {
        do {
            return try BridgeFuzzer()
        } catch {
            fatalError("cannot set up the bridge to fuzz: \(error)")
        }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    Target.fuzzer.run(UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    return 0
}
