import Foundation

/// testbedctl as users run it, the installed static binary, against the start
/// of a static Swift hello world timed in the same run.
enum CLIBenchmark {
    static func run(_ baselines: Baselines, binFolder: String, daemon: DaemonUnderTest, runs: Int) throws -> [Measurement] {
        let ctl = binFolder + "/testbedctl"
        // Interleaved, so that drift in the machine's speed hits all alike.
        var hello: [Double] = [], help: [Double] = [], list: [Double] = [], status: [Double] = []
        for _ in 0..<runs {
            hello.append(try Run.medianMilliseconds([baselines.helloWorld], runs: 1))
            help.append(try Run.medianMilliseconds([ctl, "--help"], runs: 1))
            list.append(try Run.medianMilliseconds([ctl, "--socket", daemon.socket, "deployment", "list"], runs: 1))
            status.append(try Run.medianMilliseconds([ctl, "--socket", daemon.socket, "status"], runs: 1))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let floor = median(hello)
        return [
            .atMost("`testbedctl --help`", median(help), "ms", baseline: "static Swift hello world", floor, maxRatio: 1.5),
            .atMost("`testbedctl deployment list`, whole process", median(list), "ms", baseline: "static Swift hello world", floor,
                    maxRatio: 2.5),
            .info("`testbedctl status`, whole process", median(status), "ms", baseline: "static Swift hello world", floor),
        ]
    }
}
