import Foundation

/// The output formats of `grader grade` (and `grade-all`).
public enum GradeFormat: String, Sendable, CaseIterable {
    case text, json, junit, gradescope

    /// Renders one or more graded submissions. `gradescope` describes one submission (Gradescope
    /// grades one at a time); the others take several.
    public func render(_ grades: [SubmissionGrade]) -> String {
        switch self {
        case .text: return grades.map(GradeText.render).joined(separator: "\n\n")
        case .json: return grades.count == 1 ? JSONReport.encode(grades[0]) : JSONReport.encode(grades)
        case .junit: return JUnitReport.render(grades)
        case .gradescope: return GradescopeReport.render(grades.first ?? SubmissionGrade(student: "", submission: "", seed: 0, exercises: [], errors: [], executionSeconds: 0))
        }
    }
}

/// The instructor's plain-text view of a graded submission.
public enum GradeText {
    public static func render(_ grade: SubmissionGrade) -> String {
        var lines = ["\(grade.student) · seed \(grade.seed)"]
        let idWidth = grade.exercises.map(\.id.count).max() ?? 2
        for e in grade.exercises {
            let mark: String
            switch e.status {
            case .passed: mark = "✓"
            case .partial: mark = "◐"
            case .notAttempted: mark = "–"
            default: mark = "✗"
            }
            let points = "\(Scoring.format(e.score))/\(e.maxScore)"
            var line = "  \(mark) \(e.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  \(points.padding(toLength: 9, withPad: " ", startingAt: 0))  \(e.status.rawValue)"
            if e.totalChecks > 0 { line += " (\(e.passedChecks)/\(e.totalChecks) checks\(e.hiddenChecks > 0 ? ", \(e.hiddenChecks) hidden" : ""))" }
            lines.append(line)
            if !e.message.isEmpty && e.status != .partial && e.status != .failed { lines.append("      " + firstLine(e.message)) }
            for check in e.checks where check.status != .passed {
                lines.append("      ✗ \(check.id)\(check.hidden ? " (hidden)" : ""): \(check.status.rawValue)" + (check.message.isEmpty ? "" : ": " + firstLine(check.message)))
            }
        }
        for error in grade.errors { lines.append("  ! " + error) }
        lines.append("Score: \(Scoring.format(grade.score))/\(grade.maxScore)")
        return lines.joined(separator: "\n")
    }

    static func firstLine(_ text: String, limit: Int = 200) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }
}

/// Gradescope's `results.json` (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
/// one test per exercise, scored with partial credit. Hidden checks count in the score, but only
/// their number and how many passed are shown, never their names or messages.
public enum GradescopeReport {
    public struct Results: Codable, Equatable {
        public var score: Double
        public var execution_time: Int
        public var output: String
        public var tests: [Test]
    }
    public struct Test: Codable, Equatable {
        public var name: String
        public var score: Double
        public var max_score: Double
        /// `passed` or `failed`: Gradescope colours the test with it.
        public var status: String
        public var output: String
        /// `visible`, `hidden`, `after_due_date` or `after_published`.
        public var visibility: String
    }

    public static func results(_ grade: SubmissionGrade) -> Results {
        let tests = grade.exercises.map { e -> Test in
            var out: [String] = ["\(e.status.rawValue): \(Scoring.format(e.score))/\(e.maxScore) points"]
            if !e.message.isEmpty { out.append(e.message) }
            for check in e.checks where !check.hidden {
                out.append((check.status == .passed ? "✓ " : "✗ ") + check.id + ": " + check.title
                           + (check.status == .passed || check.message.isEmpty ? "" : "\n    " + check.message.replacingOccurrences(of: "\n", with: "\n    ")))
            }
            let hidden = e.checks.filter(\.hidden)
            if !hidden.isEmpty { out.append("hidden checks: \(hidden.filter { $0.status == .passed }.count) of \(hidden.count) passed") }
            return Test(name: "\(e.id) · \(e.title)", score: e.score, max_score: Double(e.maxScore),
                        status: e.status == .passed ? "passed" : "failed", output: out.joined(separator: "\n"), visibility: "visible")
        }
        var output = "Graded with seed \(grade.seed): \(Scoring.format(grade.score))/\(grade.maxScore) points."
        if !grade.errors.isEmpty { output += "\nNot graded (a course problem; tell your instructor):\n" + grade.errors.joined(separator: "\n") }
        return Results(score: grade.score, execution_time: Int(grade.executionSeconds.rounded(.up)), output: output, tests: tests)
    }

    public static func render(_ grade: SubmissionGrade) -> String { JSONReport.encode(results(grade)) }
}
