import Foundation
import GraderWire

/// The outcome of checking one exercise: everything any renderer needs (text for students, JSON
/// for tools; JUnit and Gradescope can be rendered from the same model).
public struct ExerciseResult: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Every expected check passed.
        case passed
        /// Some check failed, crashed, timed out, or has no authenticated result.
        case failed
        /// Nothing failed except checks that reached a `todo()`: the starter is untouched there.
        case notImplemented
        /// The exercise did not compile (or a student file is missing).
        case compileError
    }

    public var id: String
    public var folder: String
    public var title: String
    public var lesson: String
    public var status: Status
    public var points: Int
    /// The points these results are worth, by the same rule `grade` uses (`Scoring.score`).
    public var earned: Double
    /// The student files, as paths from the course root: where to look.
    public var files: [String]
    public var checks: [CheckResult]
    public var compileFailure: CompileFailure?
    /// The seed of the random inputs; `--seed` replays it.
    public var seed: UInt64
    /// Hidden checks that exist but were not run (they run when the instructor grades).
    public var hiddenPending: Int
    public var compileSeconds: Double
    public var compiledFromCache: Bool
    public var runSeconds: Double
    /// Number of times the exercise program was started (more than one after a crash).
    public var runs: Int
    /// What the program printed, trimmed (only shown to the student when something failed).
    public var output: String

    public var passed: Bool { status == .passed }
    public var passedChecks: Int { checks.filter { $0.status == .passed }.count }
}

/// One check's verdict as the grader established it.
public struct CheckResult: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        case passed
        case failed
        /// The code reached `todo()`.
        case notImplemented
        /// The process died during the check (trap, signal, exit).
        case crashed
        case timedOut
        /// Not run because an earlier check timed out.
        case notRun
        /// The program never delivered an authenticated result for this check.
        case missing
    }
    public var id: String
    public var title: String
    public var status: Status
    public var message: String
    public var hint: String
    public var location: String
    public var weight: Int
    public var hidden: Bool
    public var milliseconds: Int
    /// Program output around a crash, when there is some.
    public var output: String
    /// The values the check compared (not part of the JSON report): what grading compares with
    /// the reference solution's run.
    public var observations: [Observation] = []

    private enum CodingKeys: String, CodingKey {
        case id, title, status, message, hint, location, weight, hidden, milliseconds, output
    }

    public init(id: String, title: String, status: Status, message: String = "", hint: String = "", location: String = "",
                weight: Int = 1, hidden: Bool = false, milliseconds: Int = 0, output: String = "", observations: [Observation] = []) {
        self.id = id; self.title = title; self.status = status; self.message = message; self.hint = hint
        self.location = location; self.weight = weight; self.hidden = hidden; self.milliseconds = milliseconds
        self.output = output; self.observations = observations
    }
}
