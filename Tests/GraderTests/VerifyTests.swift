import Foundation
import XCTest
@testable import GraderCore

/// `grader verify` passes on a sound course and fails, naming the culprit, when a solution is
/// broken, a starter passes, a known mistake passes, a listing prints something else, a listing
/// marked `throws` doesn't throw, or a quiz's marked answer is not what its code prints.
final class VerifyTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A small course in a temporary folder: the real ex1 (with one known mistake) and a
    /// three-listing lesson with a two-question quiz.
    private func makeCourse() throws -> Course {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("verify-tests-\(UUID().uuidString)")
        let exercise = dir.appendingPathComponent("Exercises/ex1-cubic-gradient")
        guard fm.fileExists(atPath: Self.repository.appendingPathComponent("Exercises/ex1-cubic-gradient/mistakes/wrong-sign").path) else {
            throw XCTSkip("ex1 has no mistakes/: this is the student edition (`grader release` leaves the answers out)")
        }
        try fm.createDirectory(at: exercise.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.copyItem(at: Self.repository.appendingPathComponent("Exercises/ex1-cubic-gradient"), to: exercise)
        for name in try fm.contentsOfDirectory(atPath: exercise.appendingPathComponent("mistakes").path) where name != "wrong-sign" {
            try fm.removeItem(at: exercise.appendingPathComponent("mistakes").appendingPathComponent(name))
        }
        let lesson = dir.appendingPathComponent("Lessons/01-first")
        try fm.createDirectory(at: lesson, withIntermediateDirectories: true)
        try """
        # Lesson 1: First

        ```swift
        let x = Tensor([2.0], requiresGrad: true)
        try (x * x).backward()
        print(x.grad!)
        ```

        ```output
        tensor([4.])
        ```

        ```swift throws
        try Tensor([1.0]).sum().backward()
        ```

        ```output
        AutogradError: element 0 of tensors does not require grad and does not have a grad_fn
        ```

        ```swift no-run
        while true { }
        ```
        """.write(to: lesson.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try """
        {"questions": [
          {"id": "sign", "kind": "choice", "prompt": "Which way?", "choices": ["up", "down"], "answer": 1, "explanation": "Against the gradient."},
          {"id": "predict", "kind": "predict", "prompt": "What prints?", "code": "print(Tensor([1.0, 2.0]) * 2)",
           "choices": ["tensor([2., 4.])", "tensor([1., 2.])"], "answer": 0, "explanation": "Elementwise."}
        ]}
        """.write(to: lesson.appendingPathComponent("quiz.json"), atomically: true, encoding: .utf8)
        try "// a course\n".write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        return Course(root: dir)
    }

    private func verify(_ course: Course) throws -> [CourseVerifier.Item] {
        if case let .failure(error) = Runtime.find(in: Fixtures.binDirectory, sourcesDirectory: nil) {
            throw XCTSkip("the course runtime is not built (\(error.message)); run `swift build` first")
        }
        let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
        return try CourseVerifier(grader: grader).verify(jobs: 2) { _ in }
    }

    private func failing(_ items: [CourseVerifier.Item]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: items.filter { !$0.passed }.map { ($0.name, $0.problems.joined(separator: "\n")) })
    }

    func testASoundCourseVerifies() throws {
        let items = try verify(try makeCourse())
        XCTAssertEqual(failing(items), [:])
        XCTAssertEqual(items.map(\.name), ["lesson 01-first", "quiz 01-first", "ex1 solution", "ex1 hints", "ex1 starter", "ex1 mistake wrong-sign"])
    }

    func testBrokenSolutionPassingStarterAndPassingMistakeAreNamed() throws {
        let course = try makeCourse()
        let ex = course.root.appendingPathComponent("Exercises/ex1-cubic-gradient")
        let fm = FileManager.default
        // The mistake becomes the solution (so it passes), and the starter becomes the solution too.
        let solution = try String(contentsOf: ex.appendingPathComponent("solution/Cubic.swift"), encoding: .utf8)
        let wrong = try String(contentsOf: ex.appendingPathComponent("mistakes/wrong-sign/Cubic.swift"), encoding: .utf8)
        try solution.write(to: ex.appendingPathComponent("mistakes/wrong-sign/Cubic.swift"), atomically: true, encoding: .utf8)
        try solution.write(to: ex.appendingPathComponent("starter/Cubic.swift"), atomically: true, encoding: .utf8)
        try fm.removeItem(at: ex.appendingPathComponent("Cubic.swift"))
        try solution.write(to: ex.appendingPathComponent("Cubic.swift"), atomically: true, encoding: .utf8)
        let f = failing(try verify(course))
        XCTAssertTrue(f["ex1 starter"]?.contains("passes every check") ?? false, "\(f)")
        XCTAssertTrue(f["ex1 mistake wrong-sign"]?.contains("must fail") ?? false, "\(f)")
        XCTAssertNil(f["ex1 solution"])

        try wrong.write(to: ex.appendingPathComponent("solution/Cubic.swift"), atomically: true, encoding: .utf8)
        let g = failing(try verify(course))
        XCTAssertNotNil(g["ex1 solution"], "a wrong solution is named: \(g)")
    }

    func testListingOutputThrowsMarkAndQuizAnswerAreChecked() throws {
        let course = try makeCourse()
        let lesson = course.root.appendingPathComponent("Lessons/01-first")
        var text = try String(contentsOf: lesson.appendingPathComponent("README.md"), encoding: .utf8)
        text = text.replacingOccurrences(of: "tensor([4.])", with: "tensor([5.])")
        text = text.replacingOccurrences(of: "try Tensor([1.0]).sum().backward()", with: "print(\"fine\")")
        try text.write(to: lesson.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        var quiz = try String(contentsOf: lesson.appendingPathComponent("quiz.json"), encoding: .utf8)
        quiz = quiz.replacingOccurrences(of: "\"answer\": 0", with: "\"answer\": 1")
        try quiz.write(to: lesson.appendingPathComponent("quiz.json"), atomically: true, encoding: .utf8)
        let f = failing(try verify(course))
        let lessonProblems = try XCTUnwrap(f["lesson 01-first"])
        XCTAssertTrue(lessonProblems.contains("README.md:3 (listing 1) prints something else"), lessonProblems)
        XCTAssertTrue(lessonProblems.contains("-tensor([5.])") && lessonProblems.contains("+tensor([4.])"), lessonProblems)
        XCTAssertTrue(lessonProblems.contains("marked `throws` but ran to its end without throwing"), lessonProblems)
        XCTAssertTrue(f["quiz 01-first"]?.contains("question 2 (\"predict\"): the code prints") ?? false, "\(f)")
    }

    func testMalformedQuizNamesTheFileAndField() throws {
        let course = try makeCourse()
        let quiz = course.root.appendingPathComponent("Lessons/01-first/quiz.json")
        try #"{"questions": [{"id": "a", "kind": "choice", "prompt": "?", "choices": ["x", "y"], "explanation": "e"}]}"#
            .write(to: quiz, atomically: true, encoding: .utf8)
        let f = failing(try verify(course))
        XCTAssertEqual(f["quiz 01-first"], "Lessons/01-first/quiz.json: missing field \"answer\" in questions[0]")
    }

    func testListingsAreReadWithTheirModesAndOutputs() throws {
        let text = "# L\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n\n```swift no-run\nf()\n```\n\n```python\nx\n```\n"
        let listings = try LessonDocument.listings(in: text, displayPath: "Lessons/x")
        XCTAssertEqual(listings.map(\.mode), [.run, .noRun])
        XCTAssertEqual(listings.map(\.expectedOutput), ["1", nil])
        XCTAssertThrowsError(try LessonDocument.listings(in: "```output\n1\n```\n", displayPath: "Lessons/x"))
        XCTAssertThrowsError(try LessonDocument.listings(in: "```swift\nprint(1)\n", displayPath: "Lessons/x"))
    }
}
