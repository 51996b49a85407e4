import Foundation
import XCTest
@testable import GraderCore

/// A figure a lesson's listing writes to `images/` is verified like printed output: `grader verify`
/// fails when the lesson has no such file or a different one, and passes when they agree.
final class FigureVerifyTests: XCTestCase {
    private func makeCourse(figure: String) throws -> (Course, URL) {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("figure-tests-\(UUID().uuidString)")
        let lesson = dir.appendingPathComponent("Lessons/01-figure")
        try fm.createDirectory(at: lesson, withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("Exercises"), withIntermediateDirectories: true)
        try """
        # Lesson 1: A figure

        ```swift
        try "\(figure)".write(toFile: "images/picture.svg", atomically: true, encoding: .utf8)
        ```

        ![a picture](images/picture.svg)
        """.write(to: lesson.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try """
        {"questions": [
          {"id": "one", "kind": "choice", "prompt": "Which?", "choices": ["a", "b"], "answer": 1, "explanation": "b."}
        ]}
        """.write(to: lesson.appendingPathComponent("quiz.json"), atomically: true, encoding: .utf8)
        try "// a course\n".write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        return (Course(root: dir), lesson.appendingPathComponent("images/picture.svg"))
    }

    private func lessonProblems(_ course: Course) throws -> String? {
        if case let .failure(error) = Runtime.find(in: Fixtures.binDirectory, sourcesDirectory: nil) {
            throw XCTSkip("the course runtime is not built (\(error.message)); run `swift build` first")
        }
        let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
        let items = try CourseVerifier(grader: grader).verify(jobs: 1) { _ in }
        return items.first { $0.name == "lesson 01-figure" && !$0.passed }?.problems.joined(separator: "\n")
    }

    func testAFigureMustExistAndMatchWhatItsListingDraws() throws {
        let (course, kept) = try makeCourse(figure: "<svg>drawn</svg>")
        let missing = try XCTUnwrap(try lessonProblems(course))
        XCTAssertTrue(missing.contains("Lessons/01-figure/images/picture.svg: a listing draws this figure but the lesson has no such file"), missing)

        try FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "<svg>old</svg>".write(to: kept, atomically: true, encoding: .utf8)
        let stale = try XCTUnwrap(try lessonProblems(course))
        XCTAssertTrue(stale.contains("Lessons/01-figure/images/picture.svg differs from the figure its listing draws"), stale)

        try "<svg>drawn</svg>".write(to: kept, atomically: true, encoding: .utf8)
        XCTAssertNil(try lessonProblems(course))
    }
}
