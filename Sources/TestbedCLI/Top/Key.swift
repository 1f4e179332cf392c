/// A key pressed in `testbedctl top`, as `KeyParser` reads it from the terminal.
enum Key: Sendable, Hashable {
    case up, down, pageUp, pageDown, home, end
    case enter, escape
    /// Ctrl-C, which arrives as a byte in raw mode.
    case interrupt
    case character(Character)
}
