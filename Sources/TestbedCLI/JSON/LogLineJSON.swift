/// One line of an action's log in `testbedctl logs --json` (docs/cli.md,
/// "log line"): `time` is when testbedd saw it written, with `--timestamps`;
/// null without.
struct LogLineJSON: Encodable {
    let actionID: String
    let time: String?
    let line: String

    private enum CodingKeys: String, CodingKey {
        case line, time
        case actionID = "action_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(actionID, forKey: .actionID)
        try c.encode(time, forKey: .time)
        try c.encode(line, forKey: .line)
    }

    /// The line as the daemon sent it: with `timestamped`, its time (24
    /// characters and a space) comes off the front into `time`.
    init(actionID: String, text: String, timestamped: Bool) {
        self.actionID = actionID
        let stamp = text.utf8.count >= 25 ? text.utf8.prefix(25) : nil
        if timestamped, let stamp, stamp.last == UInt8(ascii: " ") {
            time = String(decoding: stamp.dropLast(), as: UTF8.self)
            line = String(decoding: text.utf8.dropFirst(25), as: UTF8.self)
        } else {
            time = nil
            line = text
        }
    }
}
