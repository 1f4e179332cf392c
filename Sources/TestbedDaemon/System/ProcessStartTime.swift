import Foundation

/// When a process started: field 22 of /proc/PID/stat, in clock ticks since
/// boot. With the pid it names one process for its whole life, so a recycled
/// pid is never taken for another (polkit's guard, and the action recovery's).
public enum ProcessStartTime {
    public static func of(_ pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After the command name (which may hold spaces and parentheses) come fields 3 onwards.
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
