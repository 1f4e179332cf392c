import Foundation

/// 10,000 deployments in each store: how long creating them takes, reading
/// every page raw, and `testbedctl deployment list` as a whole process.
enum ListBenchmark {
    static func run(binFolder: String, work: String, deployments: Int) async throws -> [Measurement] {
        let project = try BenchmarkWorkload.project(in: work)
        var rows: [Measurement] = []
        for store in ["file", "sqlite"] {
            let daemon = try await DaemonUnderTest(binFolder: binFolder, work: work, name: "list-\(store)", extra: ["--store", store])
            defer { daemon.stop() }
            let client = try await daemon.connect()
            let created = try await BenchmarkWorkload.create(deployments, project: project, on: client)
            await client.close()
            rows.append(.info("create \(deployments) deployments, 64 in flight (\(store) store)", created * 1000, "ms"))
            var pages: [Double] = []
            for _ in 0..<5 {
                let (milliseconds, count) = try BenchmarkWorkload.rawPages(socket: daemon.socket)
                guard count == deployments + 1 || count == deployments else { throw BenchError("read \(count) deployments, expected \(deployments)") }
                pages.append(milliseconds)
            }
            rows.append(.absolute("`deployment.list`, \(deployments) deployments, every page read raw (\(store) store)",
                                  pages.sorted()[2], "ms", limit: 20))
            let list = try Run.medianMilliseconds([binFolder + "/testbedctl", "--socket", daemon.socket, "deployment", "list"], runs: 5)
            rows.append(.absolute("`testbedctl deployment list`, \(deployments) deployments (\(store) store)", list, "ms", limit: 100))
        }
        return rows
    }
}
