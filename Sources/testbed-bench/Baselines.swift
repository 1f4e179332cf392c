import Foundation

/// The baselines measured in the same run: plain C programs with no framework
/// (benchmarks/*.c, compiled here with `cc -O2`) and a Swift hello world built
/// with the static standard library, as testbedctl is.
struct Baselines {
    let folder: String
    /// `framed-echo SOCKET REPLY_BYTES`: a single-threaded epoll server of the same framing.
    var echo: String { folder + "/framed-echo" }
    /// `framed-load SOCKET CONNECTIONS INFLIGHT SECONDS WARMUP METHOD [PARAMS]`.
    var load: String { folder + "/framed-load" }
    /// `socket-throughput MIB`.
    var socketThroughput: String { folder + "/socket-throughput" }
    /// The static Swift hello world.
    var helloWorld: String { folder + "/hello" }

    /// The C sources, found from this file's place in the repository.
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("benchmarks").path

    static func build(in folder: String) throws -> Baselines {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for program in ["framed-echo", "framed-load", "socket-throughput"] {
            try Run.checked(["cc", "-O2", "-o", folder + "/" + program, sources + "/" + program + ".c"])
        }
        try Data("print(\"hello\")\n".utf8).write(to: URL(fileURLWithPath: folder + "/hello.swift"))
        try Run.checked(["swiftc", "-O", "-static-stdlib", folder + "/hello.swift", "-o", folder + "/hello"])
        return Baselines(folder: folder)
    }
}
