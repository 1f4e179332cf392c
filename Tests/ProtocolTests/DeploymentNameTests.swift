import Testing
import TestbedProtocol

@Suite("DeploymentName")
struct DeploymentNameTests {
    static let valid = ["a", "A1", "web-1", "a.b_c", "9", "x-log", "logs", "a-logs1", String(repeating: "a", count: 63)]

    static let invalid = [
        "", "../x", "a/b", "-x", ".x", "_x", "a b", "a\u{0}b", "a\nb", String(repeating: "a", count: 64),
        "x-logs", "a.b-logs", "é", "aé", "a\\b", "a:b",
    ]

    @Test(arguments: valid)
    func acceptsValidName(name: String) {
        #expect(DeploymentName.problem(with: name) == nil)
        #expect(DeploymentName.isValid(name))
    }

    @Test(arguments: invalid)
    func refusesInvalidNameWithAMessage(name: String) throws {
        #expect(!DeploymentName.isValid(name))
        let problem = try #require(DeploymentName.problem(with: name))
        #expect(!problem.isEmpty)
        // The message is printable even when the name is not.
        #expect(!problem.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(problem.debugDescription)")
    }

    @Test func messagesSayWhatIsWrong() throws {
        #expect(try #require(DeploymentName.problem(with: "")).contains("empty"))
        #expect(try #require(DeploymentName.problem(with: String(repeating: "a", count: 64))).contains("64"))
        #expect(try #require(DeploymentName.problem(with: "a/b")).contains("'/'"))
        #expect(try #require(DeploymentName.problem(with: "a\u{0}b")).contains("0x0"))
        #expect(try #require(DeploymentName.problem(with: "x-logs")).contains("-logs"))
    }

    @Test(arguments: [
        ("My Project!", "My-Project-"),
        ("__init", "init"),
        ("web-1", "web-1"),
        ("café", "caf-"),
        ("a/../b", "a-..-b"),
        ("  hello", "hello"),
        ("x-logs", "x"),
        ("a-logs-logs", "a"),
        (String(repeating: "b", count: 100), String(repeating: "b", count: 63)),
    ])
    func sanitizes(text: String, expected: String) {
        #expect(DeploymentName.sanitized(text) == expected)
    }

    @Test(arguments: ["...", "", "é", "---", "_._", " "])
    func sanitizingNothingUsableGivesNil(text: String) {
        #expect(DeploymentName.sanitized(text) == nil)
    }

    @Test(arguments: valid + invalid + [
        "My Project!", "__init", "...", String(repeating: "é", count: 40), String(repeating: "a", count: 58) + "-logs",
        String(repeating: "a", count: 62) + "-logs", "-" + String(repeating: "z", count: 70), "日本語 name", "a\u{301}b",
    ])
    func sanitizedIsAlwaysValid(text: String) throws {
        guard let name = DeploymentName.sanitized(text) else { return }
        #expect(DeploymentName.isValid(name), "\(text.debugDescription) -> \(name.debugDescription)")
        #expect(name.utf8.count <= DeploymentName.maxLength)
    }

    @Test(arguments: valid)
    func sanitizingAValidNameKeepsIt(name: String) {
        #expect(DeploymentName.sanitized(name) == name)
    }
}
