import Foundation
import XCTest
@testable import GraderCore

/// Where `grader grade` finds a student's files in the shapes submissions arrive in: the course
/// layout, exercise folders, one zipped folder, and the bare files Gradescope's drag-and-drop
/// upload leaves at the top of `/autograder/submission`.
final class SubmissionLayoutTests: XCTestCase {
    private func engine() throws -> SubmissionGrader {
        let course = try GradingTests.makeCourse()
        if case let .failure(error) = Runtime.find(in: Fixtures.binDirectory, sourcesDirectory: nil) {
            throw XCTSkip("the course runtime is not built (\(error.message)); run `swift build` first")
        }
        return SubmissionGrader(grader: Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false))
    }

    func testBareFilesAtTheTopAreFoundWhenTheirNamesAreUnique() throws {
        let engine = try engine()
        let course = engine.grader.course
        let fx1 = try course.exercise(named: "fx1")
        let submission = course.root.appendingPathComponent("submissions/erin")
        try FileManager.default.createDirectory(at: submission, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fx1.solutionDirectory.appendingPathComponent("Double.swift"),
                                         to: submission.appendingPathComponent("Double.swift"))
        XCTAssertEqual(engine.sourceDirectory(of: fx1, in: submission)?.standardizedFileURL, submission.standardizedFileURL)
        XCTAssertNil(engine.sourceDirectory(of: try course.exercise(named: "fx2"), in: submission))
        let grade = engine.grade(fx1, submission: submission)
        XCTAssertEqual(grade.status, .passed, grade.message)

        // Inside one uploaded folder too.
        let zipped = course.root.appendingPathComponent("submissions/finn/my-work")
        try FileManager.default.createDirectory(at: zipped, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fx1.solutionDirectory.appendingPathComponent("Double.swift"),
                                         to: zipped.appendingPathComponent("Double.swift"))
        XCTAssertEqual(engine.grade(fx1, submission: zipped.deletingLastPathComponent()).status, .passed)
    }

    func testABareFileNameTwoExercisesShareIsNotGuessed() throws {
        let engine = try engine()
        let course = engine.grader.course
        // fx2 is made to use fx1's file name: a bare Double.swift could be either exercise's.
        let fx2Dir = course.exercisesDirectory.appendingPathComponent("fx2-gradfail")
        let manifest = fx2Dir.appendingPathComponent("exercise.json")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "Square.swift", with: "Double.swift")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        for dir in ["", "starter/"] {
            try FileManager.default.moveItem(at: fx2Dir.appendingPathComponent(dir + "Square.swift"), to: fx2Dir.appendingPathComponent(dir + "Double.swift"))
        }
        let submission = course.root.appendingPathComponent("submissions/gus")
        try FileManager.default.createDirectory(at: submission, withIntermediateDirectories: true)
        try "// mine\n".write(to: submission.appendingPathComponent("Double.swift"), atomically: true, encoding: .utf8)
        XCTAssertNil(engine.sourceDirectory(of: try course.exercise(named: "fx1"), in: submission))
        XCTAssertEqual(engine.grade(try course.exercise(named: "fx1"), submission: submission).status, .notAttempted)
    }
}
