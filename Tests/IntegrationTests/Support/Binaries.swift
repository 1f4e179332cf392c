import Foundation

/// The built `testbedd` and `testbedctl`, found beside the test bundle in the
/// build folder (`swift build` builds them before `swift test` runs).
enum Binaries {
    static let folder: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On Linux the runner is `<build>/testbedosPackageTests.xctest`; step out of any bundle folder.
        while url.path.hasSuffix(".xctest") || url.path.hasSuffix("Contents/MacOS") { url.deleteLastPathComponent() }
        return url.path
    }()

    static var testbedd: String { path("testbedd") }
    static var testbedctl: String { path("testbedctl") }
    static var testbedNetns: String { path("testbed-netns") }

    private static func path(_ name: String) -> String {
        let candidate = folder + "/" + name
        precondition(
            FileManager.default.isExecutableFile(atPath: candidate),
            "\(candidate) is missing: build the products first (`swift build`), as scripts/test does")
        return candidate
    }
}
