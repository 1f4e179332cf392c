/// One line of an action's log in `testbedctl logs --json` (docs/cli.md, "log line").
struct LogLineJSON: Encodable {
    let actionID: String
    let line: String

    private enum CodingKeys: String, CodingKey {
        case line
        case actionID = "action_id"
    }
}
