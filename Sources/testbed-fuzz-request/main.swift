// libFuzzer's entry point for the daemon's request path: frames, envelope
// parsing and dispatch through the real method table (see RequestPathFuzzer).
// Built alone, with the fuzzer: scripts/fuzz builds and runs it.
import TestbedDaemon

/// Made on the first input: libFuzzer owns `main`, so no top-level code runs.
enum Target {
    static let fuzzer: RequestPathFuzzer = {
        do {
            return try RequestPathFuzzer()
        } catch {
            fatalError("cannot set up the request path to fuzz: \(error)")
        }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    Target.fuzzer.run(UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    return 0
}
