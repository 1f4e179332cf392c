#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about the terminals behind the standard streams.
public enum TerminalDevice {
    /// Whether `descriptor` is a terminal.
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// The terminal's size in columns and rows (TIOCGWINSZ); nil when
    /// `descriptor` is not a terminal or reports no size.
    public static func size(of descriptor: Int32) -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// Whether `first` and `second` are both terminals, and the same one.
    public static func same(_ first: Int32, _ second: Int32) -> Bool {
        guard isTerminal(first), isTerminal(second) else { return false }
        var a = stat(), b = stat()
        guard fstat(first, &a) == 0, fstat(second, &b) == 0 else { return false }
        return a.st_rdev == b.st_rdev
    }
}
