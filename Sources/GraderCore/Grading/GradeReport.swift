import Foundation

/// One student's graded submission: the model every output format (`text`, `json`, `junit`,
/// `gradescope`) and the gradebook are rendered from. Its JSON form is the grader's own documented
/// schema (`docs/grading.md`), so field names are part of the contract: add fields, never rename.
public struct SubmissionGrade: Codable, Equatable, Sendable {
    /// Bumped only on an incompatible change of this schema.
    public var schemaVersion: Int = 1
    /// The submission folder's name (one folder per student in `grade-all`).
    public var student: String
    public var submission: String
    /// The seed every exercise ran with: the same submission and seed give the same score.
    public var seed: UInt64
    public var score: Double
    public var maxScore: Int
    public var executionSeconds: Double
    public var exercises: [ExerciseGrade]
    /// Course problems that kept an exercise from being graded at all (a broken manifest): they
    /// are the instructor's to fix, not the student's, so they are listed apart.
    public var errors: [String]

    public init(student: String, submission: String, seed: UInt64, exercises: [ExerciseGrade], errors: [String], executionSeconds: Double) {
        self.student = student; self.submission = submission; self.seed = seed; self.exercises = exercises
        self.errors = errors; self.executionSeconds = executionSeconds
        score = Scoring.round(exercises.reduce(0) { $0 + $1.score })
        maxScore = exercises.reduce(0) { $0 + $1.maxScore }
    }
}

/// One exercise of a submission.
public struct ExerciseGrade: Codable, Equatable, Sendable {
    /// Human-readable on purpose: these words end up in gradebooks and Gradescope output.
    public enum Status: String, Codable, Sendable {
        /// Every check passed, hidden ones included.
        case passed
        /// Some checks passed: the score is their share of the points.
        case partial
        /// It compiled and ran, but no check passed.
        case failed
        case compileError = "compile error"
        /// A student file is missing from the submission, or every one still equals its starter.
        case notAttempted = "not attempted"
        /// The grader itself could not grade it (toolchain, disk): not the student's fault.
        case graderError = "grader error"
    }

    public var id: String
    public var folder: String
    public var title: String
    public var status: Status
    public var score: Double
    public var maxScore: Int
    public var passedChecks: Int
    public var totalChecks: Int
    /// How many of `totalChecks` are hidden (`checks/hidden/`).
    public var hiddenChecks: Int
    /// Why it is not `passed`, in one line: a compile error, the missing file, …
    public var message: String
    public var seconds: Double
    public var checks: [GradedCheck]
}

/// One check's verdict in a graded exercise.
public struct GradedCheck: Codable, Equatable, Sendable {
    public var id: String
    public var title: String
    /// As in the student's JSON report: `passed`, `failed`, `notImplemented`, `crashed`,
    /// `timedOut`, `notRun`, `missing`.
    public var status: CheckResult.Status
    public var hidden: Bool
    public var weight: Int
    public var message: String
}

/// How points are awarded.
///
/// Partial credit: an exercise's points are shared among its checks by weight, and the passed
/// checks' share is awarded (rounded to 2 decimals). This is kinder than all-or-nothing (one
/// wrong edge case does not erase the rest of the work) and it is what nbgrader does; rustlings
/// is all-or-nothing because it has no points at all. A submission whose student files are still
/// the starter earns 0 even when the starter happens to pass a check.
public enum Scoring {
    public static func score(points: Int, checks: [CheckResult]) -> Double {
        let total = checks.reduce(0) { $0 + max($1.weight, 0) }
        guard total > 0 else { return 0 }
        let passed = checks.filter { $0.status == .passed }.reduce(0) { $0 + max($1.weight, 0) }
        return passed == total ? Double(points) : round(Double(points) * Double(passed) / Double(total))
    }

    /// Two decimals, so that sums and JSON stay readable (`3.33`, not `3.3333333333333335`).
    public static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// `10`, `4.5`, `3.33`: a score as people write it.
    public static func format(_ value: Double) -> String {
        let r = round(value)
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.2f", r).replacingOccurrences(of: #"0$"#, with: "", options: .regularExpression)
    }
}
