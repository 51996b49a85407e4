import Foundation

/// The student's report of one exercise: kind, precise, and always ending with what to do next.
public struct TextReport {
    public let style: Style

    public init(style: Style) { self.style = style }

    /// - Parameter watching: for `grader watch`, which re-checks on save: the report then says
    ///   "save" where it would say "run grader check again".
    /// - Parameter revealFixes: whether the student has asked for every `grader hint` of the
    ///   exercise. A check's hint is progressive: its first line says what is wrong and where
    ///   (always shown); the lines after it spell out the fix, and are shown only once the student
    ///   has read the hints that lead there.
    public func render(_ r: ExerciseResult, verbose: Bool = false, watching: Bool = false, revealFixes: Bool = true) -> String {
        var out: [String] = []
        let header = "\(r.folder) · \(r.title)"
        let mainFile = r.files.first ?? r.folder
        switch r.status {
        case .compileError:
            guard let failure = r.compileFailure else { break }
            out.append(style.red("✗ ") + style.bold(header) + style.red(" does not compile"))
            out.append("")
            switch failure.kind {
            case .missingFile:
                out.append("  " + failure.summary)
            case .checks:
                out.append("  " + failure.summary)
                out.append("")
                out.append(indent(diagnosticsText(failure, limit: 2)))
            case .student:
                out.append(indent(diagnosticsText(failure, limit: 4)))
                let count = failure.diagnostics.count
                if count > 4 { out.append(style.dim("  … and \(count - 4) more error\(count - 4 == 1 ? "" : "s")")) }
            case .toolchainMismatch, .other:
                out.append("  " + failure.summary)
                out.append(indent(String(failure.output.split(separator: "\n").prefix(30).joined(separator: "\n"))))
            }
            out.append("")
            let file = failure.kind == .student ? failure.diagnostics.first.map { "\($0.file):\($0.line)" } ?? mainFile : mainFile
            out.append(watching ? "Fix \(style.bold(file)) and save: it is checked again as soon as you do."
                                : "Fix \(style.bold(file)) and save; then run " + style.cyan("grader check \(r.id)") + " again.")
            return out.joined(separator: "\n")
        default:
            break
        }

        let mark: String
        switch r.status {
        case .passed: mark = style.green("✓ ")
        case .notImplemented: mark = style.yellow("○ ")
        default: mark = style.red("✗ ")
        }
        out.append(mark + style.bold(header) + style.dim("  (\(r.lesson))"))
        let width = min(max(r.checks.map { $0.id.count }.max() ?? 0, 8), 28)
        var previousTodo: String?
        for check in r.checks {
            let id = check.id.padding(toLength: width, withPad: " ", startingAt: 0)
            switch check.status {
            case .passed:
                out.append("  " + style.green("✓") + " \(id)  " + (verbose ? check.title : style.dim(check.title)))
            case .notImplemented:
                let todo = check.message + check.location
                if todo == previousTodo {
                    out.append("  " + style.yellow("○") + " \(id)  \(check.title)" + style.dim("  (same todo)"))
                    continue
                }
                previousTodo = todo
                out.append("  " + style.yellow("○") + " \(id)  \(check.title)")
                var line = "      " + style.yellow(check.message)
                if !check.location.isEmpty { line += style.dim(" (\(check.location))") }
                out.append(line)
            default:
                out.append("  " + style.red("✗") + " \(id)  \(check.title)")
                out.append(indent(wrapText(check.message), by: 6, style: { self.style.red($0) }))
                if !check.hint.isEmpty {
                    let (whereText, fix) = TextReport.splitHint(check.hint)
                    out.append(indent(wrapText("→ " + (revealFixes && !fix.isEmpty ? whereText + "\n" + fix : whereText)), by: 6, style: { self.style.cyan($0) }))
                    if !revealFixes && !fix.isEmpty {
                        out.append(style.dim("        (the exact fix shows here once you have read every `grader hint \(r.id)`)"))
                    }
                }
                if !check.output.isEmpty {
                    out.append(style.dim("      your program printed:"))
                    out.append(indent(check.output, by: 8, style: { self.style.dim($0) }))
                }
            }
        }
        out.append("")
        let passed = r.passedChecks
        var summary = "\(passed) of \(r.checks.count) check\(r.checks.count == 1 ? "" : "s") passed · \(Scoring.format(r.earned))/\(r.points) points"
        if r.hiddenPending > 0 { summary += " · \(r.hiddenPending) hidden check\(r.hiddenPending == 1 ? "" : "s") will run when graded" }
        summary += " · seed \(r.seed)"
        out.append(r.status == .passed ? style.green(summary) : summary)
        switch r.status {
        case .passed:
            out.append(style.green("Well done! ") + "Next: " + style.cyan("grader list") + " shows what is left.")
        case .notImplemented:
            let first = r.checks.first { $0.status == .notImplemented }
            let file = first.map { $0.location.isEmpty ? mainFile : $0.location } ?? mainFile
            out.append("Next: open \(style.bold(file)) and replace the todo(). Stuck? " + style.cyan("grader hint \(r.id)"))
        default:
            let file = r.checks.first { $0.status != .passed && !$0.location.isEmpty }?.location ?? mainFile
            out.append("Next: open \(style.bold(file)). Stuck? " + style.cyan("grader hint \(r.id)")
                       + style.dim(" · replay these inputs: grader check \(r.id) --seed \(r.seed)"))
        }
        return out.joined(separator: "\n")
    }

    /// A check hint's first line (what is wrong, where) and the rest (the fix), trimmed.
    public static func splitHint(_ hint: String) -> (whereText: String, fix: String) {
        let lines = hint.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return (lines[0].trimmingCharacters(in: .whitespaces), lines.count > 1 ? lines[1].trimmingCharacters(in: .whitespacesAndNewlines) : "")
    }

    /// One line for an exercise whose every check is still a `todo()`: what `grader check` (all)
    /// prints so that unstarted exercises do not bury the ones being worked on.
    public func renderCompact(_ r: ExerciseResult) -> String? {
        guard r.status == .notImplemented, r.checks.allSatisfy({ $0.status == .notImplemented }) else { return nil }
        let location = r.checks.first?.location ?? ""
        return style.yellow("○ ") + style.bold("\(r.folder) · \(r.title)") + style.dim("  not started: \(r.checks.count) checks wait for the todo()s" + (location.isEmpty ? "" : " (first in \(location))"))
    }

    func diagnosticsText(_ failure: CompileFailure, limit: Int) -> String {
        if failure.diagnostics.isEmpty { return failure.summary }
        return failure.diagnostics.prefix(limit).map { d in
            let head = style.bold("\(d.file):\(d.line):\(d.column): ") + style.red("error: ") + d.message
            return d.excerpt.isEmpty ? head : head + "\n" + d.excerpt
        }.joined(separator: "\n\n")
    }

    func indent(_ text: String, by n: Int = 2, style apply: ((String) -> String)? = nil) -> String {
        let pad = String(repeating: " ", count: n)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { pad + (apply?(String($0)) ?? String($0)) }.joined(separator: "\n")
    }

    /// Long messages wrapped at about 100 columns on word boundaries.
    func wrapText(_ text: String, width: Int = 100) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var lines: [String] = []
            var current = ""
            for word in line.split(separator: " ", omittingEmptySubsequences: false) {
                if !current.isEmpty && current.count + word.count + 1 > width {
                    lines.append(current)
                    current = String(word)
                } else {
                    current += current.isEmpty ? String(word) : " " + word
                }
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// JSON for tools: the same model as the text report, stable keys, sorted.
public enum JSONReport {
    public struct Envelope: Codable {
        public var exercises: [ExerciseResult]
        public var errors: [String]
        public var passed: Int
        public var total: Int
        public var points: Int
        public var earned: Double
    }

    public static func render(_ results: [ExerciseResult], errors: [String] = []) -> String {
        let envelope = Envelope(exercises: results, errors: errors, passed: results.filter(\.passed).count, total: results.count,
                                points: results.reduce(0) { $0 + $1.points }, earned: Scoring.round(results.reduce(0) { $0 + $1.earned }))
        return encode(envelope)
    }

    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
