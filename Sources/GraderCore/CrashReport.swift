import Foundation

/// Turns how an exercise process ended, and what the Swift runtime printed, into one sentence for
/// the student: "your code crashed: Fatal error: Index out of range in Huber.swift:14 (in huber(_:))".
///
/// The Swift runtime prints the trap's message (`Swift/Array.swift:692: Fatal error: Index out of
/// range`), whose file is often the standard library's; the backtracer, on by default on Linux,
/// then prints symbolicated frames (`… huber(_:) + 363 in exercise at /…/Huber.swift:14:9`), and the
/// first frame in a student file is the line to show.
public struct CrashReport: Equatable, Sendable {
    /// The runtime's message without its stdlib location: "Fatal error: Index out of range".
    public var runtimeMessage: String?
    /// `Huber.swift:14`, the innermost frame in a student file.
    public var studentLocation: String?
    /// The function at that frame.
    public var studentFunction: String?
    /// The innermost frame in a check file, when no student frame was found.
    public var checkLocation: String?

    /// Reads the runtime's output. `studentFiles` and `checkFiles` are paths as compiled (absolute or
    /// relative to the course root); a frame matches when its path ends with one.
    public static func parse(stderr: String, studentFiles: [String], checkFiles: [String]) -> CrashReport {
        var report = CrashReport()
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        let markers = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil", "Could not allocate memory", "failed to allocate"]
        for line in lines {
            guard let marker = markers.first(where: { line.contains($0) }), let range = line.range(of: marker) else { continue }
            var message = String(line[range.lowerBound...]).trimmingCharacters(in: .whitespaces)
            // "Fatal error" alone (fatalError() without a message) reads better with the location.
            if message.hasSuffix(":") { message.removeLast() }
            // The runtime puts the user's own `fatalError` location before the message: keep it when
            // it is a student file: the student's files are the module `Student`
            // (`Student/Huber.swift:14: Fatal error: …`).
            let prefix = line[..<range.lowerBound]
            if let fileLine = prefix.split(separator: " ").last.map(String.init), fileLine.hasPrefix("Student/") {
                let parts = fileLine.dropFirst("Student/".count).split(separator: ":")
                if parts.count >= 2 { report.studentLocation = "\(parts[0]):\(parts[1])" }
            }
            report.runtimeMessage = message
            break
        }
        // Frames: "  3 [ra] 0x000056042a67120c huber(_:) + 363 in exercise at /tmp/x/Huber.swift:4:34"
        let frame = try! NSRegularExpression(pattern: #"0x[0-9a-f]+ (.+?)(?: \+ \d+)? in \S+ at (.+?):(\d+)(?::\d+)?\s*$"#)
        let students = Set(studentFiles), checks = Set(checkFiles)
        for line in lines {
            let s = String(line)
            guard let m = frame.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { continue }
            let group = { (i: Int) in String(s[Range(m.range(at: i), in: s)!]) }
            let path = group(2), lineNumber = group(3)
            let name = (path as NSString).lastPathComponent
            func matches(_ set: Set<String>) -> Bool { set.contains(path) || set.contains { path.hasSuffix("/" + $0) } }
            if matches(students) {
                if report.studentLocation == nil || report.studentFunction == nil {
                    report.studentLocation = report.studentLocation ?? "\(name):\(lineNumber)"
                    report.studentFunction = group(1)
                }
                break
            }
            if matches(checks), report.checkLocation == nil {
                report.checkLocation = "\(name):\(lineNumber)"
            }
        }
        return report
    }

    /// The sentence for a check during which the process ended with `termination`.
    public func sentence(for termination: ChildProcess.Termination, timeout: Double, memoryLimitMB: Int) -> String {
        var place = ""
        if let studentLocation {
            place = " in \(studentLocation)"
            if let studentFunction { place += " (in \(studentFunction))" }
        } else if let checkLocation {
            place = " (in the check at \(checkLocation), called with your code)"
        }
        if let runtimeMessage, runtimeMessage.contains("Could not allocate memory") || runtimeMessage.contains("failed to allocate") {
            return "your code ran out of memory (limit \(memoryLimitMB) MiB)\(place): is something growing without end?"
        }
        switch termination {
        case .timedOut:
            return "timed out after \(formatSeconds(timeout)): is there an infinite loop?"
        case let .exited(code):
            return "your code ended the program with exit(\(code)) in the middle of this check\(place); checks must run to their end, so remove the exit call"
        case let .signaled(signal):
            if let runtimeMessage { return "your code crashed: \(runtimeMessage)\(place)" }
            return "your code crashed: \(CrashReport.describe(signal: signal, memoryLimitMB: memoryLimitMB))\(place)"
        }
    }

    /// A signal in words.
    public static func describe(signal: Int32, memoryLimitMB: Int) -> String {
        switch signal {
        case SIGILL, SIGTRAP: return "a Swift runtime trap (a failed precondition, a force-unwrapped nil, an index out of range or an arithmetic overflow)"
        case SIGSEGV: return "segmentation fault: an invalid memory access, most often a stack overflow from a function that calls itself forever"
        case SIGBUS: return "bus error: an invalid memory access"
        case SIGABRT: return "the program aborted"
        case SIGFPE: return "an arithmetic error (integer division by zero?)"
        case SIGKILL: return "the program was killed (it may have exceeded the memory limit of \(memoryLimitMB) MiB)"
        case SIGTERM: return "the program was terminated"
        case SIGXCPU: return "the program used too much CPU time"
        default: return "signal \(signal)"
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
}
