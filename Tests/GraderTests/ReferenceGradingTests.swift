import Foundation
import XCTest
@testable import GraderCore

/// Grading compares every value a check records with the reference solution's run (issue 11), on
/// the course's real exercises: their solutions keep full points, and a known mistake keeps the
/// score `grader check` gives it, so the comparison costs an honest student nothing.
final class ReferenceGradingTests: XCTestCase {
    /// The same seed `grade` uses.
    static let seed: UInt64 = 0

    /// `check` and `grade` (the reference comparison) of `id`'s solution and of each mistake in
    /// `mistakes` (all of them when nil); returns "source: check points, grade points" lines
    /// where the two differ.
    func compareCheckAndGrade(_ id: String, mistakes: [String]? = nil) throws -> [String] {
        let course = Course(root: RealExerciseTests.courseRoot)
        guard let exercise = try? course.exercise(named: id) else { throw XCTSkip("\(id) is not in Exercises/") }
        guard FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) else {
            throw XCTSkip("\(id) has no solution/: this is the student edition")
        }
        if case let .failure(error) = Runtime.find(in: Fixtures.binDirectory, sourcesDirectory: nil) {
            throw XCTSkip("the course runtime is not built (\(error.message))")
        }
        let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
        let hidden = exercise.hasHiddenChecks
        func run(_ sources: URL, slot: String, grade: Bool) throws -> ExerciseResult {
            try grader.check(.init(exercise: exercise, seed: Self.seed, sourcesDirectory: sources, includeHidden: hidden,
                                   cacheSlot: slot, compareWithReference: grade))
        }

        let solution = try run(exercise.solutionDirectory, slot: "solution", grade: true)
        XCTAssertEqual(solution.status, .passed, "\(id) solution, graded: \(solution.checks.filter { $0.status != .passed }.map { "\($0.id): \($0.message)" })")
        XCTAssertEqual(solution.earned, Double(exercise.manifest.points), accuracy: 1e-9, "\(id) solution, graded")

        var differences: [String] = []
        for name in mistakes ?? exercise.mistakeNames() {
            let sources = try exercise.mistakeSources(name)
            defer { try? FileManager.default.removeItem(at: sources) }
            let checked = try run(sources, slot: "mistake", grade: false)
            let graded = try run(sources, slot: "mistake", grade: true)
            XCTAssertLessThan(graded.earned, Double(exercise.manifest.points), "\(id) mistake \(name) earns full points when graded")
            if abs(checked.earned - graded.earned) > 1e-9 {
                let extra = graded.checks.filter { $0.status != .passed && checked.check($0.id)?.status == .passed }
                differences.append("\(id) mistake \(name): check \(checked.earned), grade \(graded.earned) (also failing when graded: \(extra.map { "\($0.id): \($0.message)" }.joined(separator: "; ")))")
            }
        }
        return differences
    }

    func testCubicGradientGradesLikeCheck() throws {
        let differences = try compareCheckAndGrade("ex1")   // outside the assertion, so a skip stays a skip
        XCTAssertEqual(differences, [])
    }

    func testStopGradientGradesLikeCheck() throws {
        let differences = try compareCheckAndGrade("ex4")   // outside the assertion, so a skip stays a skip
        XCTAssertEqual(differences, [])
    }

    func testCheckpointingGradesLikeCheck() throws {
        let differences = try compareCheckAndGrade("ex13")   // outside the assertion, so a skip stays a skip
        XCTAssertEqual(differences, [])
    }

    /// Every exercise and every mistake, when GRADLINGS_GRADE_ALL is set (slow: for measuring).
    func testEveryExerciseGradesLikeCheck() throws {
        guard ProcessInfo.processInfo.environment["GRADLINGS_GRADE_ALL"] != nil else { throw XCTSkip("set GRADLINGS_GRADE_ALL=1 to grade every exercise") }
        let course = Course(root: RealExerciseTests.courseRoot)
        var differences: [String] = []
        for case let .valid(exercise) in try course.entries() where FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) {
            differences += try compareCheckAndGrade(exercise.id)
        }
        XCTAssertEqual(differences, [])
    }
}
