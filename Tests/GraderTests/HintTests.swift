import Foundation
import XCTest
@testable import GraderCore

/// Hints teach step by step: a failed check first says what is wrong and where, and shows the fix
/// only once the student has read every `grader hint`; no hint quotes a solution line.
final class HintTests: XCTestCase {
    private func failedResult(hint: String) -> ExerciseResult {
        ExerciseResult(id: "ex1", folder: "ex1-cubic", title: "Cubic", lesson: "01", status: .failed, points: 10, earned: 0,
                       files: ["Exercises/ex1-cubic/Cubic.swift"],
                       checks: [CheckResult(id: "gradient_at", title: "gradientAt(v) is f'(v)", status: .failed,
                                            message: "gradientAt(2.0) returned 0.0, expected 8.0", hint: hint)],
                       compileFailure: nil, seed: 1, hiddenPending: 0, compileSeconds: 0, compiledFromCache: false,
                       runSeconds: 0, runs: 1, output: "")
    }

    func testAFailedChecksFixShowsOnlyAfterEveryHintWasRead() {
        let report = TextReport(style: Style(enabled: false))
        let result = failedResult(hint: "gradientAt must get the slope from autograd\nread the leaf's .grad with item()")
        let early = report.render(result, revealFixes: false)
        XCTAssertTrue(early.contains("→ gradientAt must get the slope from autograd"), early)
        XCTAssertFalse(early.contains("item()"), "the fix waits for the hints: \(early)")
        XCTAssertTrue(early.contains("grader hint ex1"), early)
        let late = report.render(result, revealFixes: true)
        XCTAssertTrue(late.contains("read the leaf's .grad with item()"), late)
    }

    func testAOneLineHintIsAlwaysShown() {
        let report = TextReport(style: Style(enabled: false))
        let text = report.render(failedResult(hint: "the constant term's derivative is 0"), revealFixes: false)
        XCTAssertTrue(text.contains("→ the constant term's derivative is 0"), text)
        XCTAssertFalse(text.contains("exact fix"), text)
    }

    func testVerifyFlagsAHintThatQuotesASolutionLine() throws {
        let course = try Fixtures.temporaryCourse()
        let exercise = try course.exercise(named: "fx1")
        XCTAssertEqual(HintAudit.problems(exercise), [])
        let manifest = exercise.directory.appendingPathComponent("exercise.json")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "\"second hint\"", with: "\"just write func double(_ x: Tensor) -> Tensor { 2 * x }\"")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let problems = HintAudit.problems(try course.exercise(named: "fx1"))
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.contains("hint 2 in exercise.json") == true, "\(problems)")
    }

    func testCheckHintsAreReadFromTheChecksSource() {
        let source = #"Check("a", "t", hint: "where it is\nhow to fix \"it\"") { }"#
        XCTAssertEqual(HintAudit.checkHints(in: source), ["where it is\nhow to fix \"it\""])
    }
}
