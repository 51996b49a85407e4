import Foundation

/// Colours for a terminal, or nothing: colour only on a TTY, never with `--no-color` or `NO_COLOR`
/// (https://no-color.org: any non-empty value).
public struct Style: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// The style for stdout given the flags and environment.
    public static func forStdout(noColorFlag: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        if noColorFlag { return Style(enabled: false) }
        if let value = environment["NO_COLOR"], !value.isEmpty { return Style(enabled: false) }
        if environment["TERM"] == "dumb" { return Style(enabled: false) }
        return Style(enabled: isatty(STDOUT_FILENO) == 1)
    }

    private func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    public func green(_ s: String) -> String { wrap("32", s) }
    public func red(_ s: String) -> String { wrap("31", s) }
    public func yellow(_ s: String) -> String { wrap("33", s) }
    public func cyan(_ s: String) -> String { wrap("36", s) }
    public func dim(_ s: String) -> String { wrap("2", s) }
    public func bold(_ s: String) -> String { wrap("1", s) }
}

/// The width of the terminal on stdout, or nil when stdout is not a terminal (then lines are not cut).
/// `COLUMNS` wins when set, as in other command-line tools.
public func terminalColumns(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
    if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
    guard isatty(STDOUT_FILENO) == 1 else { return nil }
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}
