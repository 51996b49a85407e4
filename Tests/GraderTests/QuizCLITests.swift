import Foundation
import XCTest
@testable import GraderCore

/// `grader quiz N`: asked in the terminal with every answer explained, graded from an answer file
/// for CI (exit 0 all right, 1 some wrong, 2 a bad file), progress kept in `.grader/` and shown by
/// `grader list`; a lesson made by `grader new lesson` is in both at once.
final class QuizCLITests: XCTestCase {
    private var executable: URL { Fixtures.binDirectory.appendingPathComponent("grader") }

    private func run(_ arguments: [String], course: Course, stdin: String = "") throws -> ChildProcess.Output {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("no grader executable in \(Fixtures.binDirectory.path): run `swift build` first")
        }
        _ = try Fixtures.grader()
        var env = ProcessInfo.processInfo.environment
        env["GRADLINGS_BUILD_DIR"] = Fixtures.binDirectory.path
        env["NO_COLOR"] = "1"
        return try ChildProcess.run(executable: executable, arguments: arguments + ["--course", course.root.path],
                                    environment: env, stdinData: Array(stdin.utf8), timeout: 60)
    }

    private func makeCourse() throws -> Course {
        let course = try Fixtures.temporaryCourse()
        let lesson = course.lessonsDirectory.appendingPathComponent("03-accumulation")
        try FileManager.default.createDirectory(at: lesson, withIntermediateDirectories: true)
        try "# Lesson 3: Gradients accumulate\n".write(to: lesson.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try """
        {"questions": [
          {"id": "order", "kind": "choice", "prompt": "Where does zeroGrad() go?", "choices": ["after step()", "before backward()"],
           "answer": 1, "explanation": "backward() adds into .grad."},
          {"id": "twice", "kind": "predict", "prompt": "What prints?", "code": "print(4)", "choices": ["2", "4"],
           "answer": 1, "explanation": "Two backward calls add up."}
        ]}
        """.write(to: lesson.appendingPathComponent("quiz.json"), atomically: true, encoding: .utf8)
        return course
    }

    private func answers(_ json: String, in course: Course) throws -> String {
        let url = course.root.appendingPathComponent("answers-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testAnswerFilesAreGradedForCI() throws {
        let course = try makeCourse()
        let quizFile = course.lessonsDirectory.appendingPathComponent("03-accumulation/quiz.json")
        let before = try Data(contentsOf: quizFile)

        let right = try run(["quiz", "3", "--answers", try answers(#"{"order": 1, "twice": "b"}"#, in: course)], course: course)
        XCTAssertEqual(right.termination, .exited(0), right.stdoutText + right.stderrText)
        XCTAssertTrue(right.stdoutText.contains("2 passed, 0 failed"), right.stdoutText)
        XCTAssertTrue(right.stdoutText.contains("backward() adds into .grad."), "every answer is explained")

        let wrong = try run(["quiz", "3", "--answers", try answers(#"{"order": 0}"#, in: course)], course: course)
        XCTAssertEqual(wrong.termination, .exited(1))
        XCTAssertTrue(wrong.stdoutText.contains("not quite: the answer is b"), wrong.stdoutText)
        XCTAssertTrue(wrong.stdoutText.contains("no answer"), "an unanswered question is wrong: \(wrong.stdoutText)")
        XCTAssertTrue(wrong.stdoutText.contains("0 passed, 2 failed"), wrong.stdoutText)

        let typo = try run(["quiz", "3", "--answers", try answers(#"{"ordr": 1, "twice": 1}"#, in: course)], course: course)
        XCTAssertEqual(typo.termination, .exited(2))
        XCTAssertTrue(typo.stderrText.contains("no question \"ordr\""), typo.stderrText)

        let notJSON = try run(["quiz", "3", "--answers", try answers("[1, 1]", in: course)], course: course)
        XCTAssertEqual(notJSON.termination, .exited(2))

        XCTAssertEqual(try Data(contentsOf: quizFile), before, "the lesson's files are never written")
        let list = try run(["list"], course: course)
        XCTAssertTrue(list.stdoutText.contains("2/2"), "the best score shows in list: \(list.stdoutText)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: course.stateDirectory.appendingPathComponent("quiz").path),
                      "progress lives in .grader/")
    }

    func testInteractiveQuizExplainsEachAnswer() throws {
        let course = try makeCourse()
        // A letter out of range is asked again; then one right and one wrong answer.
        let out = try run(["quiz", "3"], course: course, stdin: "z\nb\na\n")
        XCTAssertEqual(out.termination, .exited(1), out.stdoutText + out.stderrText)
        XCTAssertTrue(out.stdoutText.contains("type one letter, a to b"), out.stdoutText)
        XCTAssertTrue(out.stdoutText.contains("✓ right."), out.stdoutText)
        XCTAssertTrue(out.stdoutText.contains("Two backward calls add up."), out.stdoutText)
        XCTAssertTrue(out.stdoutText.contains("1 of 2 right"), out.stdoutText)
    }

    func testANewLessonIsListedAndQuizzedAtOnce() throws {
        let course = try makeCourse()
        let made = try run(["new", "lesson", "14-my-topic"], course: course)
        XCTAssertEqual(made.termination, .exited(0), made.stderrText)
        let list = try run(["list"], course: course)
        XCTAssertTrue(list.stdoutText.contains("My topic") && list.stdoutText.contains("grader quiz 14"), list.stdoutText)
        let quiz = try Quiz.load(course.lessonsDirectory.appendingPathComponent("14-my-topic/quiz.json"), displayPath: "quiz.json")
        let q = try XCTUnwrap(quiz.questions.first)
        let graded = try run(["quiz", "14", "--answers", try answers("{\"\(q.id)\": \(q.answer)}", in: course)], course: course)
        XCTAssertEqual(graded.termination, .exited(0), graded.stdoutText + graded.stderrText)
    }
}
